package credentials

import (
	"fmt"
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

// The statuses of a check.
const (
	CheckOK                 CheckStatus = "OK"
	CheckInvalidCredentials CheckStatus = "INVALID_CREDENTIALS"
	CheckUnreachable        CheckStatus = "UNREACHABLE"
	CheckTimeout            CheckStatus = "TIMEOUT"
	CheckNotFound           CheckStatus = "NOT_FOUND"
	CheckUnexpected         CheckStatus = "UNEXPECTED_RESPONSE"
	CheckNotSupported       CheckStatus = "NOT_SUPPORTED"
	CheckSecretUnreadable   CheckStatus = "SECRET_UNREADABLE"
)

var checkStatuses = []CheckStatus{CheckOK, CheckInvalidCredentials, CheckUnreachable, CheckTimeout, CheckNotFound, CheckUnexpected, CheckNotSupported, CheckSecretUnreadable}

func (s CheckStatus) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

func (s *CheckStatus) UnmarshalGQL(v any) error {
	str, _ := v.(string)
	for _, known := range checkStatuses {
		if string(known) == str {
			*s = known
			return nil
		}
	}
	return fmt.Errorf("%q is not a check status", str)
}
