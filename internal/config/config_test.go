package config

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite docs/configuration.md")

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestLoadReadsEnvironmentAndFlagsWin(t *testing.T) {
	getenv := env(map[string]string{
		"ORGQL_ADDR":              ":9000",
		"ORGQL_MAX_DEPTH":         "7",
		"ORGQL_OPERATION_TIMEOUT": "3s",
		"ORGQL_INTROSPECTION":     "true",
		"ORGQL_CORS_ORIGINS":      "https://a.example, https://b.example",
		"ORGQL_MAX_BODY_BYTES":    "2048",
	})
	c, err := Load(nil, getenv, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" || c.MaxDepth != 7 || c.OperationTimeout != 3*time.Second || !c.Introspection || c.MaxBodyBytes != 2048 {
		t.Fatalf("environment not read: %+v", c)
	}
	if strings.Join(c.CORSOrigins, " ") != "https://a.example https://b.example" {
		t.Fatalf("origins = %q", c.CORSOrigins)
	}

	c, err = Load([]string{"--addr", ":9100", "--max-depth=5", "--introspection=false", "--cors-origins", "https://c.example"}, getenv, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9100" || c.MaxDepth != 5 || c.Introspection || strings.Join(c.CORSOrigins, " ") != "https://c.example" {
		t.Fatalf("flags did not win: %+v", c)
	}
	if c.OperationTimeout != 3*time.Second {
		t.Fatalf("a variable without its flag was lost: %v", c.OperationTimeout)
	}
}

func TestLoadRefusesBadVariables(t *testing.T) {
	for name, value := range map[string]string{"ORGQL_MAX_DEPTH": "deep", "ORGQL_OPERATION_TIMEOUT": "10", "ORGQL_INTROSPECTION": "maybe"} {
		_, err := Load(nil, env(map[string]string{name: value}), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: err = %v, want one naming the variable", name, value, err)
		}
	}
}

func TestDevIsAFlagOnly(t *testing.T) {
	c, err := Load(nil, env(map[string]string{"ORGQL_DEV": "true"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Dev || c.Introspection {
		t.Fatalf("ORGQL_DEV turned development mode on: %+v", c)
	}
	c, err = Load([]string{"--dev"}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Dev || !c.Introspection {
		t.Fatalf("--dev: Dev=%v Introspection=%v, want both on", c.Dev, c.Introspection)
	}
}

func TestIntrospectionIsOffByDefault(t *testing.T) {
	if c := Defaults(); c.Introspection || c.Dev {
		t.Fatalf("defaults: Dev=%v Introspection=%v", c.Dev, c.Introspection)
	}
}

func TestLoadRefusesWildcardOriginWithCredentials(t *testing.T) {
	for _, origins := range []string{"*", "https://*.example.com", "https://a.example,*"} {
		_, err := Load([]string{"--cors-origins", origins, "--cors-allow-credentials"}, env(nil), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "wildcard") {
			t.Errorf("origins %q with credentials: err = %v, want a refusal", origins, err)
		}
	}
	_, err := Load(nil, env(map[string]string{"ORGQL_CORS_ORIGINS": "*", "ORGQL_CORS_ALLOW_CREDENTIALS": "true"}), &bytes.Buffer{})
	if err == nil {
		t.Error("wildcard origin with credentials from the environment was accepted")
	}
	if _, err := Load([]string{"--cors-origins", "*"}, env(nil), &bytes.Buffer{}); err != nil {
		t.Errorf("wildcard origin without credentials: %v", err)
	}
}

func TestLoadRefusesNonPositiveLimits(t *testing.T) {
	for _, arg := range []string{"--max-depth=0", "--complexity-limit=-1", "--max-body-bytes=0", "--operation-timeout=0s", "--max-selections=0", "--max-merged-fields=-1"} {
		if _, err := Load([]string{arg}, env(nil), &bytes.Buffer{}); err == nil {
			t.Errorf("%s was accepted", arg)
		}
	}
}

func TestHelpListsEverySetting(t *testing.T) {
	var out bytes.Buffer
	_, err := Load([]string{"--help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: err = %v", err)
	}
	for _, s := range Settings() {
		if s.Flag == "" { // environment only: named in the usage text
			if !strings.Contains(out.String(), s.Env) {
				t.Errorf("--help does not name %s", s.Env)
			}
			continue
		}
		if !strings.Contains(out.String(), "-"+strings.TrimPrefix(s.Flag, "--")+" ") && !strings.Contains(out.String(), "-"+strings.TrimPrefix(s.Flag, "--")+"\n") {
			t.Errorf("--help does not list %s:\n%s", s.Flag, out.String())
		}
		if s.Env != "" && !strings.Contains(out.String(), "$"+s.Env) {
			t.Errorf("--help does not name %s", s.Env)
		}
	}
}

func TestEverySettingHasAVariableExceptDev(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Settings() {
		if s.Env == "" && s.Flag != "--dev" {
			t.Errorf("%s has no environment variable", s.Flag)
		}
		if s.Flag == "--dev" && s.Env != "" {
			t.Errorf("--dev has variable %s", s.Env)
		}
		if seen[s.Env] && s.Env != "" {
			t.Errorf("variable %s used twice", s.Env)
		}
		seen[s.Env] = true
	}
}

// TestConfigurationDoc keeps docs/configuration.md equal to the flag set;
// run with -update to rewrite it.
func TestConfigurationDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "configuration.md")
	want := Markdown()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/config -run TestConfigurationDoc -update)", err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date; run: go test ./internal/config -run TestConfigurationDoc -update", path)
	}
}

// A sign-in app needs its client id and its secret, the secret from the
// environment only; the cookies go without Secure only in development at
// http://localhost.
func TestSignInSettings(t *testing.T) {
	for name, vars := range map[string]map[string]string{
		"id without secret": {"ORGQL_GITHUB_CLIENT_ID": "x"},
		"secret without id": {"ORGQL_GITLAB_CLIENT_SECRET": "x"},
	} {
		if _, err := Load(nil, env(vars), &bytes.Buffer{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c, err := Load([]string{"--bitbucket-client-id", "key"}, env(map[string]string{"ORGQL_BITBUCKET_CLIENT_SECRET": "s"}), &bytes.Buffer{})
	if err != nil || !c.SignIn.Bitbucket.Enabled() || c.SignIn.Bitbucket.ClientSecret != "s" || c.SignIn.GitHub.Enabled() {
		t.Fatalf("bitbucket app: %+v, %v", c.SignIn, err)
	}
	if _, err := Load([]string{"--bitbucket-client-secret", "s"}, env(nil), &bytes.Buffer{}); err == nil {
		t.Error("a client secret was taken from the command line")
	}
	for _, c := range []struct {
		dev      bool
		url      string
		insecure bool
	}{
		{true, "http://localhost:8080", true}, {true, "http://127.0.0.1", true},
		{true, "https://localhost", false}, {true, "http://orgql.example", false},
		{true, "http://localhost.evil.example", false}, {false, "http://localhost:8080", false},
	} {
		if got := (Config{Dev: c.dev, PublicURL: c.url}).InsecureCookies(); got != c.insecure {
			t.Errorf("dev=%v %s: insecure cookies %v", c.dev, c.url, got)
		}
	}
}

func TestLoadRefusesBadOperatingSettings(t *testing.T) {
	for _, args := range [][]string{
		{"--rate-limit-window=500ms"}, {"--rate-limit-window=1500ms"}, {"--rate-limit-user=0"},
		{"--rate-limit-anonymous=-1"}, {"--rate-limit-plans=FREE"}, {"--rate-limit-plans=TEAM=0"},
		{"--trace-sample-ratio=1.5"}, {"--log-format=xml"},
	} {
		if _, err := Load(args, env(nil), &bytes.Buffer{}); err == nil {
			t.Errorf("%v was accepted", args)
		}
	}
	c, err := Load([]string{"--rate-limit-plans=team=7,ENTERPRISE=9"}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := c.PlanBudgets(); b["TEAM"] != 7 || b["ENTERPRISE"] != 9 || b["FREE"] != DefaultPlanBudgets["FREE"] {
		t.Fatalf("%v", b)
	}
	if c.LogFormat != "json" {
		t.Fatalf("production logs are %s", c.LogFormat)
	}
	if c, _ := Load([]string{"--dev"}, env(nil), &bytes.Buffer{}); c.LogFormat != "text" {
		t.Fatalf("--dev logs are %s", c.LogFormat)
	}
	// Turned off, the budgets are not checked.
	if _, err := Load([]string{"--rate-limit=false", "--rate-limit-user=0"}, env(nil), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
}
