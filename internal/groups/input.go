package groups

import (
	"fmt"

	"github.com/orgql/orgql/internal/apperr"
	"github.com/orgql/orgql/internal/kubemeta"
)

// The inputs' fields are pointers and their lists nil-able, although every
// one is required: a missing field is BAD_USER_INPUT naming it (the GraphQL
// schema declares them nullable for that reason and says they are required).

// LabelsGroupInput is the GraphQL LabelsGroupInput: a labels group's whole definition.
type LabelsGroupInput struct {
	Name   *string
	Labels []LabelInput
}

// LabelInput is the GraphQL LabelInput.
type LabelInput struct {
	Key                      *string
	Value                    *string
	PropagateToCloudProvider *bool
}

// AnnotationsGroupInput is the GraphQL AnnotationsGroupInput: an annotations group's whole definition.
type AnnotationsGroupInput struct {
	Name        *string
	Annotations []AnnotationInput
	Scopes      []kubemeta.Scope
}

// AnnotationInput is the GraphQL AnnotationInput.
type AnnotationInput struct {
	Key   *string
	Value *string
}

// labelsGroup is a checked LabelsGroupInput. The name's own rules are the
// ent field's validator, applied when the row is saved.
type labelsGroup struct {
	Name   string
	Labels []kubemeta.Label
}

// check checks in, whose fields sit under "input".
func (in LabelsGroupInput) check() (labelsGroup, error) {
	if in.Name == nil {
		return labelsGroup{}, required("input.name")
	}
	if in.Labels == nil {
		return labelsGroup{}, required("input.labels")
	}
	labels := make([]kubemeta.Label, len(in.Labels))
	for i, l := range in.Labels {
		path := fmt.Sprintf("input.labels.%d", i)
		switch {
		case l.Key == nil:
			return labelsGroup{}, required(path + ".key")
		case l.Value == nil:
			return labelsGroup{}, required(path + ".value")
		case l.PropagateToCloudProvider == nil:
			return labelsGroup{}, required(path + ".propagateToCloudProvider")
		}
		labels[i] = kubemeta.Label{Key: *l.Key, Value: *l.Value, PropagateToCloudProvider: *l.PropagateToCloudProvider}
	}
	if err := kubemeta.CheckLabels("input.labels", labels); err != nil {
		return labelsGroup{}, err
	}
	return labelsGroup{Name: *in.Name, Labels: labels}, nil
}

// annotationsGroup is a checked AnnotationsGroupInput.
type annotationsGroup struct {
	Name        string
	Annotations []kubemeta.Annotation
	Scopes      []kubemeta.Scope
}

// check checks in, whose fields sit under "input".
func (in AnnotationsGroupInput) check() (annotationsGroup, error) {
	switch {
	case in.Name == nil:
		return annotationsGroup{}, required("input.name")
	case in.Annotations == nil:
		return annotationsGroup{}, required("input.annotations")
	case in.Scopes == nil:
		return annotationsGroup{}, required("input.scopes")
	}
	annotations := make([]kubemeta.Annotation, len(in.Annotations))
	for i, a := range in.Annotations {
		path := fmt.Sprintf("input.annotations.%d", i)
		switch {
		case a.Key == nil:
			return annotationsGroup{}, required(path + ".key")
		case a.Value == nil:
			return annotationsGroup{}, required(path + ".value")
		}
		annotations[i] = kubemeta.Annotation{Key: *a.Key, Value: *a.Value}
	}
	if err := kubemeta.CheckAnnotations("input.annotations", annotations); err != nil {
		return annotationsGroup{}, err
	}
	if err := kubemeta.CheckScopes("input.scopes", in.Scopes); err != nil {
		return annotationsGroup{}, err
	}
	return annotationsGroup{Name: *in.Name, Annotations: annotations, Scopes: in.Scopes}, nil
}

func required(field string) error {
	return apperr.BadInput(field, "%s is required", field)
}
