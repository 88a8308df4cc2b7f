package groups

import "github.com/orgql/orgql/internal/kubemeta"

// Inputs are whole definitions: an update replaces the group's labels or
// annotations and scopes. A field that is always required is non-null in the
// GraphQL schema, so GraphQL itself refuses an input without it; the rules
// that need the values are checked here. The name's own rules are the ent
// field's validator, applied when the row is saved.

// LabelsGroupInput is the GraphQL LabelsGroupInput.
type LabelsGroupInput struct {
	Name   string
	Labels []kubemeta.Label
}

func (in LabelsGroupInput) check() error {
	return kubemeta.CheckLabels("input.labels", in.Labels)
}

// AnnotationsGroupInput is the GraphQL AnnotationsGroupInput.
type AnnotationsGroupInput struct {
	Name        string
	Annotations []kubemeta.Annotation
	Scopes      []kubemeta.Scope
}

func (in AnnotationsGroupInput) check() error {
	if err := kubemeta.CheckAnnotations("input.annotations", in.Annotations); err != nil {
		return err
	}
	return kubemeta.CheckScopes("input.scopes", in.Scopes)
}
