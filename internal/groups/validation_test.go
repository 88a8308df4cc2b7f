package groups_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/orgql/orgql/internal/testkit"
)

type invalid struct {
	name  string
	input map[string]any
	field string
}

// without returns in without the keys given.
func without(in map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for k, v := range in {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// with returns in with key set to v (nil: null).
func with(in map[string]any, key string, v any) map[string]any {
	out := without(in)
	out[key] = v
	return out
}

// labelCases are labels group inputs with one fault each, and the field named.
func labelCases() []invalid {
	ok := lbl("ok", "v", false)
	one := func(name string, l map[string]any, field string) invalid {
		return invalid{name, labelsInput("Group", ok, l), field}
	}
	key := func(name, k string) invalid { return one(name, lbl(k, "v", false), "input.labels.1.key") }
	value := func(name, v string) invalid { return one(name, lbl("k", v, false), "input.labels.1.value") }
	base := labelsInput("Group", ok)
	cases := []invalid{
		// Each required field missing, or null: the schema's non-null types refuse them.
		{"name missing", without(base, "name"), "input.name"},
		{"name null", with(base, "name", nil), "input.name"},
		{"labels missing", without(base, "labels"), "input.labels"},
		{"labels null", with(base, "labels", nil), "input.labels"},
		{"labels empty", with(base, "labels", []any{}), "input.labels"},
		one("key missing", without(lbl("k", "v", false), "key"), "input.labels.1.key"),
		one("key null", with(lbl("k", "v", false), "key", nil), "input.labels.1.key"),
		one("value missing", without(lbl("k", "v", false), "value"), "input.labels.1.value"),
		one("value null", with(lbl("k", "v", false), "value", nil), "input.labels.1.value"),
		one("propagateToCloudProvider null", with(lbl("k", "v", false), "propagateToCloudProvider", nil), "input.labels.1.propagateToCloudProvider"),
		// The name's rules.
		{"name empty", with(base, "name", ""), "input.name"},
		{"name blank", with(base, "name", "   "), "input.name"},
		{"name with a control character", with(base, "name", "a\x07b"), "input.name"},
		{"name of 256 characters", with(base, "name", strings.Repeat("n", 256)), "input.name"},
		// Each syntax rule of keys broken.
		key("key empty", ""),
		key("prefix empty", "/x"),
		key("name empty after the prefix", "example.com/"),
		key("two slashes", "a/b/c"),
		key("name starting with -", "-a"),
		key("name ending with .", "a."),
		key("name ending with _", "a_"),
		key("space in the name", "a b"),
		key("colon in the name", "a:b"),
		key("non-ASCII name", "équipe"),
		key("name of 64 characters", strings.Repeat("n", 64)),
		key("prefix of 254 characters", strings.Repeat("p", 250)+".com/x"),
		key("upper-case prefix", "Example.com/x"),
		key("underscore in the prefix", "my_domain.com/x"),
		key("empty part in the prefix", "example..com/x"),
		key("prefix part ending with -", "example-.com/x"),
		key("prefix ending with .", "example.com./x"),
		// Each rule of values broken.
		value("value of 64 characters", strings.Repeat("v", 64)),
		value("value starting with -", "-v"),
		value("value ending with .", "v."),
		value("space in the value", "a b"),
		value("slash in the value", "a/b"),
		value("non-ASCII value", "ünï"),
		// A key twice.
		one("repeated key", lbl("ok", "other", true), "input.labels.1.key"),
	}
	// Each reserved prefix and key, in more than one case.
	for _, k := range []string{
		"kubernetes.io/x", "app.kubernetes.io/name", "K8S.io/x", "k8s.io/x", "node.k8s.io/role",
		"qovery.com/x", "app.qovery.com/x", "myqovery.com/x",
		"aws", "aws-region", "AWS_Tag", "aws.amazon.com/x", "eks:cluster-name", "EKS:x",
		"appId", "APPID", "envId", "envid", "cluster_id", "organization_id", "Organization_ID",
	} {
		cases = append(cases, key("reserved "+k, k))
	}
	return cases
}

func annotationCases() []invalid {
	ok := ann("ok", "v")
	scopes := []string{"PODS"}
	one := func(name string, a map[string]any, field string) invalid {
		return invalid{name, annotationsInput("Group", scopes, ok, a), field}
	}
	key := func(name, k string) invalid { return one(name, ann(k, "v"), "input.annotations.1.key") }
	base := annotationsInput("Group", scopes, ok)
	cases := []invalid{
		{"name missing", without(base, "name"), "input.name"},
		{"name null", with(base, "name", nil), "input.name"},
		{"annotations missing", without(base, "annotations"), "input.annotations"},
		{"annotations null", with(base, "annotations", nil), "input.annotations"},
		{"annotations empty", with(base, "annotations", []any{}), "input.annotations"},
		{"scopes missing", without(base, "scopes"), "input.scopes"},
		{"scopes null", with(base, "scopes", nil), "input.scopes"},
		{"scopes empty", with(base, "scopes", []any{}), "input.scopes"},
		{"scope repeated", with(base, "scopes", []any{"PODS", "JOBS", "PODS"}), "input.scopes.2"},
		one("key missing", without(ann("k", "v"), "key"), "input.annotations.1.key"),
		one("key null", with(ann("k", "v"), "key", nil), "input.annotations.1.key"),
		one("value missing", without(ann("k", "v"), "value"), "input.annotations.1.value"),
		one("value null", with(ann("k", "v"), "value", nil), "input.annotations.1.value"),
		{"name empty", with(base, "name", ""), "input.name"},
		{"name of 256 characters", with(base, "name", strings.Repeat("n", 256)), "input.name"},
		key("key empty", ""),
		key("prefix empty", "/x"),
		key("name empty after the prefix", "example.com/"),
		key("two slashes", "a/b/c"),
		key("name ending with -", "a-"),
		key("space in the name", "a b"),
		key("name of 64 characters", strings.Repeat("n", 64)),
		key("prefix of 254 characters", strings.Repeat("p", 250)+".com/x"),
		key("upper-case prefix", "Example.com/x"),
		key("prefix starting with .", ".example.com/x"),
		one("repeated key", ann("ok", "other"), "input.annotations.1.key"),
		{"keys and values over 256 KiB", annotationsInput("Group", scopes, ann("a", strings.Repeat("x", 128<<10)), ann("b", strings.Repeat("x", 128<<10))), "input.annotations"},
	}
	for _, k := range []string{
		"kubernetes.io/x", "deployment.kubernetes.io/revision", "k8s.io/x", "node.k8s.io/x",
		"meta.helm.sh/release-name", "Meta.Helm.sh/x", "checksum/config", "app.checksum/x",
		"qovery.com/x", "app.qovery.com/x", "appCommitId", "APPCOMMITID",
	} {
		cases = append(cases, key("reserved "+k, k))
	}
	return cases
}

// Every rule of a group's input, broken alone, is BAD_USER_INPUT naming the
// field, on create and on update, and stores nothing; to someone outside
// the organization the same requests answer NOT_FOUND, as for any valid input.
func TestLabelsGroupValidation(t *testing.T) {
	testValidation(t, createLabelsGroupDoc, updateLabelsGroupDoc, labelCases(),
		labelsInput("Existing", lbl("k", "v", false)),
		// At the limits of every rule: accepted.
		labelsInput(strings.Repeat("n", 255),
			lbl(strings.Repeat("p", 249)+".com/"+strings.Repeat("n", 63), strings.Repeat("v", 63), true),
			lbl("Upper_Case.name-1", "", false),
			lbl("example.com/qovery.com", "aws", false),
			lbl("kubernetes.iox/a", "appId", false),
			lbl("my-aws", "x", false),
			lbl("meta.helm.sh/x", "x", false)))
}

func TestAnnotationsGroupValidation(t *testing.T) {
	testValidation(t, createAnnotationsGroupDoc, updateAnnotationsGroupDoc, annotationCases(),
		annotationsInput("Existing", []string{"PODS"}, ann("k", "v")),
		annotationsInput("Limits", []string{"DEPLOYMENTS", "STATEFUL_SETS", "SERVICES", "INGRESS", "HPA", "PODS", "SECRETS", "JOBS", "CRON_JOBS"},
			ann(strings.Repeat("p", 253)+"/"+strings.Repeat("n", 63), strings.Repeat("x", 200<<10)),
			ann("aws-region", "eu-west-3"), ann("appId", ""), ann("example.com/checksum", "multi\nline: any text ✓")))
}

func testValidation(t *testing.T, createDoc, updateDoc string, cases []invalid, existing, limits map[string]any) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		var created map[string]struct{ ID string }
		alice.Do(t, createDoc, map[string]any{"org": org.ID, "input": existing}).OK(t, &created)
		var id string
		for _, v := range created {
			id = v.ID
		}
		stranger, _ := outsider(t, e)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before, eventsBefore := storedGroups(t, e, org), allEvents(t, e, org)
				// A required field missing or null is refused by GraphQL itself, for
				// anyone, at the variable's path; every other fault is the domain's
				// BAD_USER_INPUT naming the field, after authorization.
				required := strings.HasSuffix(tc.name, " missing") || strings.HasSuffix(tc.name, " null")
				refused := func(who string, resp *testkit.Response) {
					t.Helper()
					if required {
						if p := pathOf(resp.Err(t, "GRAPHQL_VALIDATION_FAILED")); p != "variable."+tc.field {
							t.Errorf("%s: path %q, want %q", who, p, "variable."+tc.field)
						}
					} else if f := resp.Err(t, "BAD_USER_INPUT").Field(); f != tc.field {
						t.Errorf("%s: field %q, want %q", who, f, tc.field)
					}
				}
				createVars := map[string]any{"org": org.ID, "input": tc.input}
				updateVars := map[string]any{"id": id, "input": tc.input}
				refused("create", alice.Do(t, createDoc, createVars))
				refused("update", alice.Do(t, updateDoc, updateVars))
				if required {
					refused("stranger's create", stranger.Do(t, createDoc, createVars))
					refused("stranger's update", stranger.Do(t, updateDoc, updateVars))
				} else {
					stranger.Do(t, createDoc, createVars).Err(t, "NOT_FOUND")
					stranger.Do(t, updateDoc, updateVars).Err(t, "NOT_FOUND")
				}
				if after := storedGroups(t, e, org); !reflect.DeepEqual(after, before) {
					t.Errorf("refused input changed the stored groups:\nbefore %v\nafter  %v", before, after)
				}
				if n := allEvents(t, e, org); n != eventsBefore {
					t.Errorf("refused input recorded %d events", n-eventsBefore)
				}
			})
		}
		t.Run("at the limits", func(t *testing.T) {
			list := "labels"
			if _, ok := limits[list]; !ok {
				list = "annotations"
			}
			check := func(resp *testkit.Response) {
				t.Helper()
				var out map[string]map[string]any
				resp.OK(t, &out)
				for _, g := range out {
					if got, want := jsonOf(t, g[list]), jsonOf(t, limits[list]); got != want {
						t.Errorf("stored %s\n%.300s\nwant\n%.300s", list, got, want)
					}
				}
			}
			check(alice.Do(t, createDoc, map[string]any{"org": org.ID, "input": limits}))
			check(alice.Do(t, updateDoc, map[string]any{"id": id, "input": with(limits, "name", "Renamed")}))
		})
	})
}

// pathOf is err's path joined with dots.
func pathOf(err testkit.Error) string {
	parts := make([]string, len(err.Path))
	for i, p := range err.Path {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

// jsonOf is v as JSON with sorted keys, to compare an input with an answer.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(generic)
	return string(b)
}
