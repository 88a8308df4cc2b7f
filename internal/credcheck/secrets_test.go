package credcheck_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/credcheck"
)

// reflected is everything credential-like a request carried, decoded.
func reflected(r *http.Request) string {
	parts := []string{r.Header.Get("Authorization"), r.Header.Get("Private-Token"), r.URL.RawQuery}
	if u, p, ok := r.BasicAuth(); ok {
		parts = append(parts, u, p)
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		parts = append(parts, tok)
	}
	return strings.Join(parts, " ")
}

// hostile answers every request by reflecting the credentials it was sent,
// in the way mode says.
func hostile(mode string) func(f **fake) http.HandlerFunc {
	return func(f **fake) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			echo := reflected(r)
			q := url.QueryEscape(echo)
			switch mode {
			case "refuse":
				w.Header().Set("WWW-Authenticate", `Basic realm="`+strings.ReplaceAll(echo, `"`, "")+`"`)
				w.Header().Set("X-Echo", q)
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprintf(w, `{"message":%q,"error":%q}`, echo, echo)
			case "bearer":
				if strings.HasPrefix(r.URL.Path, "/token") {
					w.WriteHeader(http.StatusBadRequest)
					fmt.Fprintf(w, `{"details":%q}`, echo)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="`+(*f).URL+`/token?echo=`+q+`",service="`+q+`"`)
				w.WriteHeader(http.StatusUnauthorized)
			case "garbage":
				fmt.Fprint(w, "<html>"+echo+"</html>")
			case "json":
				// Every field every check reads, holding the credentials.
				fmt.Fprintf(w, `{"login":%[1]q,"username":%[1]q,"uuid":%[1]q,"token":%[1]q,"active":true,"scopes":[%[1]q],"expires_at":%[1]q,"values":[%[1]q],"apiVersion":%[1]q,"entries":{"x":%[1]q},"authorizationData":[{"authorizationToken":%[2]q}]}`,
					echo, base64.StdEncoding.EncodeToString([]byte("AWS:"+echo)))
			case "redirect-http":
				http.Redirect(w, r, "http://"+url.QueryEscape(echo)+"@"+r.Host+"/?"+q, http.StatusFound)
			case "redirect-loop":
				http.Redirect(w, r, (*f).URL+"/again/"+url.PathEscape(echo), http.StatusFound)
			case "aws-error":
				w.Header().Set("X-Amzn-ErrorType", url.PathEscape(echo)+":x")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"__type":%q,"message":%q}`, echo, echo)
			case "server-error":
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, echo)
			case "hangup":
				// Send the credentials into a URL, then drop the
				// connection: Go's error text then holds that URL.
				if strings.HasPrefix(r.URL.Path, "/echo/") {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
					return
				}
				if strings.TrimSpace(echo) == "" {
					w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				http.Redirect(w, r, "/echo/"+url.PathEscape(echo)+"?"+q, http.StatusTemporaryRedirect)
			case "slow":
				hang(w, r)
			}
		}
	}
}

// everyKind runs every check the package has, with the secrets.
func everyKind(c *credcheck.Checker, base string) []credcheck.Result {
	ctx := context.Background()
	host := strings.TrimPrefix(base, "https://")
	up := login(registryUser, secretPassword)
	scw := map[string]string{"scalewayAccessKey": "SCW", "scalewaySecretKey": secretScaleway, "scalewayProjectID": "p", "region": "fr-par"}
	gcp := map[string]string{"region": "europe-west1", "jsonCredentials": secretJSONKey}
	aws := awsCreds(secretAWSKey)
	var out []credcheck.Result
	for _, tc := range []struct {
		kind  string
		creds map[string]string
	}{
		{credcheck.KindGenericCR, up}, {credcheck.KindDockerHub, up}, {credcheck.KindGitHubCR, up},
		{credcheck.KindGitLabCR, up}, {credcheck.KindGitHubEnterpriseCR, up}, {credcheck.KindScalewayCR, scw},
		{credcheck.KindGCPArtifactRegistry, gcp}, {credcheck.KindECR, aws}, {credcheck.KindPublicECR, aws},
		{credcheck.KindAzureCR, map[string]string{"azure_tenant_id": secretToken}},
	} {
		url := base
		if tc.kind == credcheck.KindDockerHub {
			url = "https://docker.io"
		}
		out = append(out, c.ContainerRegistry(ctx, tc.kind, url, tc.creds))
	}
	for _, p := range []string{credcheck.ProviderGitHub, credcheck.ProviderGitLab, credcheck.ProviderBitbucket} {
		out = append(out, c.GitToken(ctx, p, base, bitbucketSpace, secretToken), c.GitToken(ctx, p, base, "", secretToken))
	}
	out = append(out, c.HelmRepository(ctx, credcheck.HelmHTTPS, base, false, up))
	for kind, creds := range map[string]map[string]string{
		credcheck.HelmOCIGenericCR: up, credcheck.HelmOCIGitHubCR: up, credcheck.HelmOCIGitLabCR: up, credcheck.HelmOCIDockerHub: up,
		credcheck.HelmOCIScalewayCR: scw, credcheck.HelmOCIECR: aws, credcheck.HelmOCIPublicECR: aws,
	} {
		out = append(out, c.HelmRepository(ctx, kind, "oci://"+host+"/charts", false, creds))
	}
	return out
}

func TestNoCheckAnswersOrLogsASecret(t *testing.T) {
	var logs bytes.Buffer
	oldLog := log.Writer()
	log.SetOutput(&logs)
	oldSlog := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() {
		log.SetOutput(oldLog)
		slog.SetDefault(oldSlog)
	})

	for _, mode := range []string{"refuse", "bearer", "garbage", "json", "redirect-http", "redirect-loop", "aws-error", "server-error", "hangup", "slow"} {
		t.Run(mode, func(t *testing.T) {
			var f *fake
			f = newFake(t, hostile(mode)(&f))
			c := checker(f)
			c.DockerHubRegistry, c.ECREndpoint, c.ECRPublicEndpoint = f.URL, f.URL, f.URL
			if mode == "slow" {
				c.Timeout = 100 * time.Millisecond
			}
			results := everyKind(c, f.URL)
			statuses := map[credcheck.Status]int{}
			for _, r := range results {
				statuses[r.Status]++
				noSecret(t, r.Message)
				if r.Message == "" || len(r.Message) > 300 {
					t.Errorf("%s: message %q is not short and to the point", r.Status, r.Message)
				}
				if b, _ := json.Marshal(r); containsSecret(string(b)) {
					t.Errorf("a secret leaked into the result %s", b)
				}
			}
			if len(f.seen()) == 0 {
				t.Fatal("no check reached the hostile service")
			}
			t.Logf("%s: %v", mode, statuses)
		})
	}
	for _, s := range allSecrets {
		if strings.Contains(logs.String(), s) {
			t.Fatalf("a secret was logged:\n%s", logs.String())
		}
	}
	if logs.Len() != 0 {
		t.Fatalf("the checks logged:\n%s", logs.String())
	}
}

func containsSecret(s string) bool {
	for _, secret := range allSecrets {
		if strings.Contains(s, secret) {
			return true
		}
	}
	return false
}
