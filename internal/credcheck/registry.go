package credcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Container registry kinds, as organizations store them.
const (
	KindECR                 = "ECR"
	KindScalewayCR          = "SCALEWAY_CR"
	KindDockerHub           = "DOCKER_HUB"
	KindGitHubCR            = "GITHUB_CR"
	KindGitHubEnterpriseCR  = "GITHUB_ENTERPRISE_CR"
	KindGitLabCR            = "GITLAB_CR"
	KindPublicECR           = "PUBLIC_ECR"
	KindGenericCR           = "GENERIC_CR"
	KindGCPArtifactRegistry = "GCP_ARTIFACT_REGISTRY"
	KindAzureCR             = "AZURE_CR"
)

// login is a registry's basic-auth login; nil means anonymous.
type login struct{ username, password string }

var (
	scalewayRegion = regexp.MustCompile(`^[a-z]{2}-[a-z]{3}$`)
	gcpRegion      = regexp.MustCompile(`^[a-z]+(-[a-z]+[0-9]+)?$`)
)

// dockerHubHosts are the names the stored Docker Hub URL goes by; its
// registry API is elsewhere.
var dockerHubHosts = map[string]bool{"docker.io": true, "index.docker.io": true, "registry-1.docker.io": true}

// ContainerRegistry checks a container registry's credentials with the
// Docker Registry HTTP API v2: GET /v2/, answering its challenge (basic, or
// a bearer token from the registry's token service). creds holds the
// registry's settings by their snake_case names; no credentials at all
// checks anonymous access.
func (c *Checker) ContainerRegistry(ctx context.Context, kind, registryURL string, creds map[string]string) Result {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	get := func(k string) string { return setting(creds, k) }

	switch kind {
	case KindDockerHub:
		raw := orDefault(registryURL, "https://docker.io")
		if u, err := url.Parse(raw); err == nil && dockerHubHosts[strings.ToLower(u.Hostname())] {
			raw = orDefault(c.DockerHubRegistry, "https://registry-1.docker.io")
		}
		return c.withLogin(ctx, raw, get, false)
	case KindGitHubCR:
		return c.withLogin(ctx, orDefault(registryURL, "https://ghcr.io"), get, false)
	case KindGitLabCR:
		return c.withLogin(ctx, orDefault(registryURL, "https://registry.gitlab.com"), get, false)
	case KindGenericCR:
		return c.withLogin(ctx, registryURL, get, false)
	case KindGitHubEnterpriseCR:
		return c.withLogin(ctx, registryURL, get, true)
	case KindScalewayCR:
		secret := get("scalewaySecretKey")
		if secret == "" {
			return result(InvalidConfiguration, "scalewaySecretKey is not set")
		}
		raw := registryURL
		if raw == "" {
			region := get("region")
			if !scalewayRegion.MatchString(region) {
				return result(InvalidConfiguration, "the registry URL is not set and region is not a Scaleway region")
			}
			raw = "https://rg." + region + ".scw.cloud"
		}
		// Scaleway's registry takes any user name with the secret key.
		return c.registry(ctx, raw, &login{"nologin", secret})
	case KindGCPArtifactRegistry:
		if get("gcpCredentialsType") != "" {
			return result(NotSupported, "orgql cannot check workload identity federation: Google issues the token in exchange for one from the platform's own identity provider, which orgql does not have")
		}
		key := get("jsonCredentials")
		if key == "" {
			return result(InvalidConfiguration, "jsonCredentials is not set")
		}
		if !json.Valid([]byte(key)) {
			return result(InvalidConfiguration, "jsonCredentials is not valid JSON")
		}
		raw := registryURL
		if raw == "" {
			region := get("region")
			if !gcpRegion.MatchString(region) {
				return result(InvalidConfiguration, "the registry URL is not set and region is not a Google Cloud region")
			}
			raw = "https://" + region + "-docker.pkg.dev"
		}
		// Artifact Registry's documented login with a service account key.
		return c.registry(ctx, raw, &login{"_json_key", key})
	case KindECR:
		return c.ecr(ctx, registryURL, get)
	case KindPublicECR:
		return c.publicECR(ctx, orDefault(registryURL, "https://public.ecr.aws"), get)
	case KindAzureCR:
		return result(NotSupported, "orgql cannot check Azure Container Registry: the platform reaches it through its own Azure application granted in your tenant, and orgql has no such identity")
	default:
		return result(NotSupported, "unknown container registry kind")
	}
}

// setting is creds[k] as stored (a password may begin or end with spaces),
// with a blank value counted as unset.
func setting(creds map[string]string, k string) string {
	if strings.TrimSpace(creds[k]) == "" {
		return ""
	}
	return creds[k]
}

// withLogin checks a registry whose credentials are an optional (or, with
// required, mandatory) username and password.
func (c *Checker) withLogin(ctx context.Context, raw string, get func(string) string, required bool) Result {
	user, pass := get("username"), get("password")
	switch {
	case user == "" && pass == "":
		if required {
			return result(InvalidConfiguration, "this registry kind needs a username and a password")
		}
		return c.registry(ctx, raw, nil)
	case user == "" || pass == "":
		return result(InvalidConfiguration, "username and password must be set together")
	}
	return c.registry(ctx, raw, &login{user, pass})
}

// registry checks the registry at raw (any path is ignored: the API is at
// the host's /v2/).
func (c *Checker) registry(ctx context.Context, raw string, l *login) Result {
	if raw == "" {
		return result(InvalidConfiguration, "the registry URL is not set")
	}
	u, bad := parseHTTPS(raw, "registry URL")
	if bad != nil {
		return *bad
	}
	cl := c.client(false)
	defer cl.CloseIdleConnections()
	return c.pingV2(ctx, cl, &url.URL{Scheme: "https", Host: u.Host}, l)
}

// pingV2 runs the registry API's version check and answers its challenge.
func (c *Checker) pingV2(ctx context.Context, cl *http.Client, base *url.URL, l *login) Result {
	v2 := endpoint(base, "/v2/")
	a, err := send(cl, newRequest(ctx, http.MethodGet, v2))
	if err != nil {
		return c.failure(ctx, err)
	}
	switch a.status {
	case http.StatusOK:
		if !looksLikeRegistry(a) {
			return result(UnexpectedResponse, "the answer is not a container registry's API")
		}
		if l != nil {
			return result(OK, "the registry answers without asking for credentials, so the stored ones were not needed")
		}
		return result(OK, "the registry allows anonymous access")
	case http.StatusUnauthorized:
	case http.StatusNotFound:
		return result(NotFound, "no registry API at this address (/v2/ answered 404)")
	case http.StatusForbidden:
		return result(Forbidden, "the registry refused access (403)")
	default:
		return statusResult(a.status, "the registry")
	}

	chs := parseWWWAuthenticate(a.header.Values("Www-Authenticate"))
	if ch, ok := find(chs, "bearer"); ok {
		return c.bearerFlow(ctx, cl, v2, ch, l)
	}
	if _, ok := find(chs, "basic"); ok {
		if l == nil {
			return result(InvalidCredentials, "the registry requires credentials and none are set")
		}
		req := newRequest(ctx, http.MethodGet, v2)
		req.SetBasicAuth(l.username, l.password)
		return c.authorized(ctx, cl, req, l)
	}
	return result(UnexpectedResponse, "the registry asked for credentials in a way orgql does not know")
}

// bearerFlow gets a token from the registry's token service (with the
// login, when there is one) and retries /v2/ with it.
func (c *Checker) bearerFlow(ctx context.Context, cl *http.Client, v2 *url.URL, ch challenge, l *login) Result {
	realm, err := url.Parse(ch.Params["realm"])
	if err != nil || !realm.IsAbs() || realm.Host == "" {
		return result(UnexpectedResponse, "the registry's challenge names no usable token service")
	}
	if realm.Scheme != "https" {
		return result(UnexpectedResponse, "the registry's token service is not https, so orgql does not send it credentials")
	}
	if realm.User != nil {
		return result(UnexpectedResponse, "the registry's challenge names no usable token service")
	}
	q := realm.Query()
	if s := ch.Params["service"]; s != "" {
		q.Set("service", s)
	}
	for _, s := range strings.Fields(ch.Params["scope"]) {
		q.Add("scope", s)
	}
	realm.RawQuery = q.Encode()

	req := newRequest(ctx, http.MethodGet, realm)
	req.Header.Set("Accept", "application/json")
	if l != nil {
		req.SetBasicAuth(l.username, l.password)
	}
	a, err := send(cl, req)
	if err != nil {
		return c.failure(ctx, err)
	}
	switch a.status {
	case http.StatusOK:
	case http.StatusUnauthorized:
		if l == nil {
			return result(InvalidCredentials, "the registry requires credentials and none are set")
		}
		return result(InvalidCredentials, "the registry's token service refused the credentials (401)")
	case http.StatusForbidden:
		if l == nil {
			return result(InvalidCredentials, "the registry requires credentials and none are set")
		}
		return result(Forbidden, "the registry's token service refused access with these credentials (403)")
	default:
		return statusResult(a.status, "the registry's token service")
	}
	var tok struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if a.truncated || json.Unmarshal(a.body, &tok) != nil {
		return result(UnexpectedResponse, "the registry's token service did not answer with a token")
	}
	token := orDefault(tok.Token, tok.AccessToken)
	if token == "" {
		return result(UnexpectedResponse, "the registry's token service did not answer with a token")
	}
	retry := newRequest(ctx, http.MethodGet, v2)
	retry.Header.Set("Authorization", "Bearer "+token)
	return c.authorized(ctx, cl, retry, l)
}

// authorized sends the authenticated /v2/ request and reads its verdict.
func (c *Checker) authorized(ctx context.Context, cl *http.Client, req *http.Request, l *login) Result {
	a, err := send(cl, req)
	if err != nil {
		return c.failure(ctx, err)
	}
	switch a.status {
	case http.StatusOK:
		if !looksLikeRegistry(a) {
			return result(UnexpectedResponse, "the answer is not a container registry's API")
		}
		if l == nil {
			return result(OK, "the registry allows anonymous access")
		}
		return result(OK, "the registry accepted the credentials")
	case http.StatusUnauthorized:
		if l == nil {
			return result(InvalidCredentials, "the registry requires credentials and none are set")
		}
		return result(InvalidCredentials, "the registry refused the credentials (401)")
	case http.StatusForbidden:
		return result(Forbidden, "the registry refused access with these credentials (403)")
	case http.StatusNotFound:
		return result(NotFound, "no registry API at this address (/v2/ answered 404)")
	default:
		return statusResult(a.status, "the registry")
	}
}

// looksLikeRegistry tells a registry's 200 to /v2/ from a web server that
// answers 200 to everything: registries send Docker-Distribution-API-Version
// (or at least answer JSON, usually "{}"), not a page.
func looksLikeRegistry(a *answer) bool {
	if strings.HasPrefix(a.header.Get("Docker-Distribution-Api-Version"), "registry/2") {
		return true
	}
	body := bytes.TrimSpace(a.body)
	return len(body) == 0 || !a.truncated && json.Valid(body)
}
