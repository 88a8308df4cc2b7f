package kubemeta

import (
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/apperr"
)

// Keys with Kubernetes' syntax and no reservation, at the limits of each rule.
var validKeys = []string{
	"a", "Z", "0", "team", "Team_Name.v2-x", "a.b", "a-b_c.d",
	strings.Repeat("n", 63),                                           // the longest name
	strings.Repeat("p", 249) + ".com/x",                               // the longest prefix: 253 characters
	strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "/name", // long parts, as Kubernetes allows
	"example.com/team", "a/b", "0.1-x/y", "my-domain.example.com/Name_1",
	"example.com/qovery.com", // a name, not a prefix
	"kubernetes.iox/a",       // not kubernetes.io nor a subdomain of it
	"notk8s.io/a", "k8s.io.example.com/a",
	"appIdx", "xappId", "my-aws", "eks.example.com/x", "eks-x",
}

// Keys whose syntax Kubernetes refuses, one broken rule each.
var badSyntaxKeys = map[string]string{
	"empty":                         "",
	"empty prefix":                  "/x",
	"empty name":                    "example.com/",
	"two slashes":                   "a/b/c",
	"name starts with -":            "-a",
	"name ends with -":              "a-",
	"name starts with _":            "_a",
	"name ends with _":              "a_",
	"name starts with .":            ".a",
	"name ends with .":              "a.",
	"space in name":                 "a b",
	"@ in name":                     "a@b",
	"colon in name":                 "a:b",
	"non-ASCII letter in name":      "é",
	"tab in name":                   "a\tb",
	"name of 64 characters":         strings.Repeat("n", 64),
	"prefix of 254 characters":      strings.Repeat("p", 250) + ".com/x",
	"upper-case prefix":             "Example.com/x",
	"underscore in prefix":          "ex_ample.com/x",
	"prefix starts with -":          "-example.com/x",
	"prefix part ends with -":       "example-.com/x",
	"empty prefix part":             "example..com/x",
	"prefix starts with .":          ".example.com/x",
	"prefix ends with .":            "example.com./x",
	"space in prefix":               "exa mple.com/x",
	"non-ASCII letter in prefix":    "exämple.com/x",
	"name of 64 after a prefix":     "example.com/" + strings.Repeat("n", 64),
	"name ends with - after prefix": "example.com/a-",
}

// Keys the labels' reservations refuse, one of each class, in several cases.
var reservedLabelKeys = []string{
	"kubernetes.io/x", "app.kubernetes.io/name", "Kubernetes.IO/x",
	"k8s.io/x", "node.k8s.io/role",
	"qovery.com/x", "app.qovery.com/x", "myqovery.com/x", "QOVERY.COM/x",
	"aws", "aws-region", "AWS-Region", "awsTag", "aws.amazon.com/x", "Aws.Example/x",
	"eks:cluster-name", "EKS:x",
	"appId", "appid", "APPID", "envId", "ENVID", "cluster_id", "Cluster_Id", "organization_id", "ORGANIZATION_ID",
}

// Keys the annotations' reservations refuse.
var reservedAnnotationKeys = []string{
	"kubernetes.io/x", "deployment.kubernetes.io/revision", "Kubernetes.io/x",
	"k8s.io/x", "node.k8s.io/x",
	"meta.helm.sh/release-name", "x.meta.helm.sh/y", "META.HELM.SH/x",
	"checksum/config", "x.checksum/y", "Checksum/config",
	"qovery.com/x", "app.qovery.com/x", "myqovery.com/x",
	"appCommitId", "appcommitid", "APPCOMMITID",
}

func badInputField(t *testing.T, err error) string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.CodeBadUserInput {
		t.Errorf("want BAD_USER_INPUT, got %v", err)
		return "(none)"
	}
	if !strings.HasPrefix(e.Message, e.Field+" ") {
		t.Errorf("the message %q does not start with the field %q", e.Message, e.Field)
	}
	return e.Field
}

func label(key string) Label { return Label{Key: key, Value: "v"} }

func TestLabelKeys(t *testing.T) {
	for _, key := range validKeys {
		if err := CheckLabels("input.labels", []Label{label("ok"), label(key)}); err != nil {
			t.Errorf("%q refused: %v", key, err)
		}
	}
	for name, key := range badSyntaxKeys {
		if f := badInputField(t, CheckLabels("input.labels", []Label{label("ok"), label(key)})); f != "input.labels.1.key" {
			t.Errorf("%s (%q): field %q", name, key, f)
		}
	}
	for _, key := range reservedLabelKeys {
		err := CheckLabels("input.labels", []Label{label("ok"), label(key)})
		if f := badInputField(t, err); f != "input.labels.1.key" {
			t.Errorf("%q: field %q", key, f)
		}
		if !strings.Contains(err.Error(), "reserve") && !strings.Contains(err.Error(), "sets it") {
			t.Errorf("%q: the message %q does not say the key is reserved", key, err)
		}
	}
}

func TestLabelValues(t *testing.T) {
	valid := []string{"", "a", "Z9", "v1.2_3-x", strings.Repeat("v", 63)}
	for _, v := range valid {
		if err := CheckLabels("input.labels", []Label{{Key: "k", Value: v}}); err != nil {
			t.Errorf("%q refused: %v", v, err)
		}
	}
	bad := map[string]string{
		"64 characters": strings.Repeat("v", 64), "starts with -": "-a", "ends with -": "a-",
		"starts with .": ".a", "ends with _": "a_", "space": "a b", "slash": "a/b", "colon": "a:b",
		"non-ASCII": "é", "newline": "a\nb", "only a dot": ".",
	}
	for name, v := range bad {
		if f := badInputField(t, CheckLabels("input.labels", []Label{{Key: "k", Value: "ok"}, {Key: "k2", Value: v}})); f != "input.labels.1.value" {
			t.Errorf("%s (%q): field %q", name, v, f)
		}
	}
}

func TestLabelLists(t *testing.T) {
	if f := badInputField(t, CheckLabels("input.labels", nil)); f != "input.labels" {
		t.Errorf("no labels: field %q", f)
	}
	dup := []Label{label("a"), label("b"), label("a")}
	if f := badInputField(t, CheckLabels("input.labels", dup)); f != "input.labels.2.key" {
		t.Errorf("a repeated key: field %q", f)
	}
	// Kubernetes keys are case-sensitive: these are two labels.
	if err := CheckLabels("input.labels", []Label{label("team"), label("Team")}); err != nil {
		t.Errorf("keys differing in case refused: %v", err)
	}
}

func annotation(key, value string) Annotation { return Annotation{Key: key, Value: value} }

func TestAnnotationKeys(t *testing.T) {
	for _, key := range validKeys {
		if err := CheckAnnotations("input.annotations", []Annotation{annotation("ok", ""), annotation(key, "v")}); err != nil {
			t.Errorf("%q refused: %v", key, err)
		}
	}
	// What only labels reserve (they become cloud tags) is a fine annotation key.
	for _, key := range []string{"aws-region", "eks.amazonaws.com/role-arn", "appId", "cluster_id", "checksums/x", "example.com/checksum"} {
		if err := CheckAnnotations("input.annotations", []Annotation{annotation(key, "v")}); err != nil {
			t.Errorf("%q refused: %v", key, err)
		}
	}
	for name, key := range badSyntaxKeys {
		if f := badInputField(t, CheckAnnotations("input.annotations", []Annotation{annotation("ok", ""), annotation(key, "v")})); f != "input.annotations.1.key" {
			t.Errorf("%s (%q): field %q", name, key, f)
		}
	}
	for _, key := range reservedAnnotationKeys {
		err := CheckAnnotations("input.annotations", []Annotation{annotation("ok", ""), annotation(key, "v")})
		if f := badInputField(t, err); f != "input.annotations.1.key" {
			t.Errorf("%q: field %q", key, f)
		}
	}
}

func TestAnnotationValuesAndSize(t *testing.T) {
	for _, v := range []string{"", "any text: with spaces, / and :", "multi\nline\ttext", `{"json": [1, 2]}`, "ünïcödé ✓", strings.Repeat("x", 100_000)} {
		if err := CheckAnnotations("input.annotations", []Annotation{annotation("k", v)}); err != nil {
			t.Errorf("value %.40q refused: %v", v, err)
		}
	}
	// Keys and values together: exactly the limit passes, one byte more does not.
	half := MaxAnnotationsBytes / 2
	full := []Annotation{annotation("a", strings.Repeat("x", half-1)), annotation("b", strings.Repeat("x", half-1))}
	if err := CheckAnnotations("input.annotations", full); err != nil {
		t.Errorf("annotations of %d bytes refused: %v", MaxAnnotationsBytes, err)
	}
	full[1].Value += "x"
	if f := badInputField(t, CheckAnnotations("input.annotations", full)); f != "input.annotations" {
		t.Errorf("over the size limit: field %q", f)
	}
	if f := badInputField(t, CheckAnnotations("input.annotations", nil)); f != "input.annotations" {
		t.Errorf("no annotations: field %q", f)
	}
	if f := badInputField(t, CheckAnnotations("input.annotations", []Annotation{annotation("a", "1"), annotation("a", "2")})); f != "input.annotations.1.key" {
		t.Errorf("a repeated key: field %q", f)
	}
}

func TestScopes(t *testing.T) {
	if err := CheckScopes("input.scopes", Scopes); err != nil {
		t.Errorf("every scope refused: %v", err)
	}
	for name, c := range map[string]struct {
		scopes []Scope
		field  string
	}{
		"none":     {nil, "input.scopes"},
		"repeated": {[]Scope{Pods, Jobs, Pods}, "input.scopes.2"},
		"unknown":  {[]Scope{Pods, "NODES"}, "input.scopes.1"},
	} {
		if f := badInputField(t, CheckScopes("input.scopes", c.scopes)); f != c.field {
			t.Errorf("%s: field %q, want %q", name, f, c.field)
		}
	}
	var s Scope
	if err := s.UnmarshalGQL("CRON_JOBS"); err != nil || s != CronJobs {
		t.Errorf("UnmarshalGQL(CRON_JOBS) = %v, %v", s, err)
	}
	if err := s.UnmarshalGQL("cron_jobs"); err == nil {
		t.Error("a lower-case scope accepted")
	}
}
