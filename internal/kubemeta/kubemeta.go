// Package kubemeta holds the Kubernetes labels and annotations that labels
// groups and annotations groups carry: their Go types (stored as JSON in the
// groups' rows), the syntax Kubernetes accepts for their keys and values,
// and the keys reserved for Kubernetes, Helm, the cloud providers and the
// platform itself. It has no database code, so the ent schema can use its types.
package kubemeta

import (
	"fmt"
	"io"
	"strconv"
)

// Label is one label of a labels group.
type Label struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// PropagateToCloudProvider also puts the label on the cloud provider's
	// resources, as a tag.
	PropagateToCloudProvider bool `json:"propagateToCloudProvider"`
}

// Annotation is one annotation of an annotations group.
type Annotation struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Scope is a kind of Kubernetes object an annotations group is put on.
type Scope string

// The scopes, in the order the API lists them.
const (
	Deployments  Scope = "DEPLOYMENTS"
	StatefulSets Scope = "STATEFUL_SETS"
	Services     Scope = "SERVICES"
	Ingress      Scope = "INGRESS"
	HPA          Scope = "HPA"
	Pods         Scope = "PODS"
	Secrets      Scope = "SECRETS"
	Jobs         Scope = "JOBS"
	CronJobs     Scope = "CRON_JOBS"
)

// Scopes lists every scope.
var Scopes = []Scope{Deployments, StatefulSets, Services, Ingress, HPA, Pods, Secrets, Jobs, CronJobs}

// MarshalGQL and UnmarshalGQL make Scope the GraphQL enum AnnotationScope.
func (s Scope) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

func (s *Scope) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("an annotation scope must be a string")
	}
	for _, known := range Scopes {
		if string(known) == str {
			*s = known
			return nil
		}
	}
	return fmt.Errorf("%q is not an annotation scope", str)
}
