package credentials

import (
	"fmt"
	"github.com/orgql/orgql/internal/credcheck"
	"io"
	"strconv"
	"time"

	"github.com/orgql/orgql/ent/containerregistry"
	"github.com/orgql/orgql/ent/gittoken"
	"github.com/orgql/orgql/ent/helmrepository"
)

// RegistryInput is the GraphQL ContainerRegistryInput.
type RegistryInput struct {
	Name         string
	Kind         containerregistry.Kind
	Description  *string
	URL          *string
	Config       map[string]any
	ClearSecrets []string
}

// HelmInput is the GraphQL HelmRepositoryInput.
type HelmInput struct {
	Name                string
	Kind                helmrepository.Kind
	Description         *string
	URL                 *string
	SkipTLSVerification *bool
	Config              map[string]any
	ClearSecrets        []string
}

// GitTokenInput is the GraphQL GitTokenInput.
type GitTokenInput struct {
	Name        string
	Description *string
	Provider    gittoken.Provider
	Token       *string
	Workspace   *string
	APIURL      *string
}

// Check is the GraphQL CredentialCheck.
type Check struct {
	Status    CheckStatus
	Message   string
	CheckedAt time.Time
}

// CheckStatus is what checking a credential found.
type CheckStatus string

// The statuses of a check: credcheck's, and SECRET_UNREADABLE when the
// stored secret cannot be opened to be checked.
const (
	CheckOK                   = CheckStatus(credcheck.OK)
	CheckInvalidCredentials   = CheckStatus(credcheck.InvalidCredentials)
	CheckForbidden            = CheckStatus(credcheck.Forbidden)
	CheckNotFound             = CheckStatus(credcheck.NotFound)
	CheckUnreachable          = CheckStatus(credcheck.Unreachable)
	CheckTLSError             = CheckStatus(credcheck.TLSError)
	CheckTimeout              = CheckStatus(credcheck.Timeout)
	CheckBlockedAddress       = CheckStatus(credcheck.BlockedAddress)
	CheckUnexpected           = CheckStatus(credcheck.UnexpectedResponse)
	CheckInvalidConfiguration = CheckStatus(credcheck.InvalidConfiguration)
	CheckNotSupported         = CheckStatus(credcheck.NotSupported)
	CheckSecretUnreadable     = CheckStatus("SECRET_UNREADABLE")
)

// CheckStatuses are the GraphQL enum CredentialCheckStatus's values, in its order.
var CheckStatuses = []CheckStatus{CheckOK, CheckInvalidCredentials, CheckForbidden, CheckNotFound, CheckUnreachable, CheckTLSError,
	CheckTimeout, CheckBlockedAddress, CheckUnexpected, CheckInvalidConfiguration, CheckNotSupported, CheckSecretUnreadable}

func (s CheckStatus) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

func (s *CheckStatus) UnmarshalGQL(v any) error {
	str, _ := v.(string)
	for _, known := range CheckStatuses {
		if string(known) == str {
			*s = known
			return nil
		}
	}
	return fmt.Errorf("%q is not a check status", str)
}
