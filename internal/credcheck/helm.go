package credcheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Helm repository kinds, as organizations store them.
const (
	HelmHTTPS         = "HTTPS"
	HelmOCIECR        = "OCI_ECR"
	HelmOCIScalewayCR = "OCI_SCALEWAY_CR"
	HelmOCIDockerHub  = "OCI_DOCKER_HUB"
	HelmOCIPublicECR  = "OCI_PUBLIC_ECR"
	HelmOCIGenericCR  = "OCI_GENERIC_CR"
	HelmOCIGitHubCR   = "OCI_GITHUB_CR"
	HelmOCIGitLabCR   = "OCI_GITLAB_CR"
)

// helmOCIRegistry is the container registry kind each OCI Helm kind is.
var helmOCIRegistry = map[string]string{
	HelmOCIECR:        KindECR,
	HelmOCIScalewayCR: KindScalewayCR,
	HelmOCIDockerHub:  KindDockerHub,
	HelmOCIPublicECR:  KindPublicECR,
	HelmOCIGenericCR:  KindGenericCR,
	HelmOCIGitHubCR:   KindGitHubCR,
	HelmOCIGitLabCR:   KindGitLabCR,
}

// HelmRepository checks a Helm repository's credentials. An HTTPS
// repository must serve its index at <url>/index.yaml (with basic auth when
// a username and password are stored); an OCI repository (oci://host/path)
// is a container registry, checked like one at https://host.
// skipTLSVerification, the repository's own setting, applies to HTTPS
// repositories only.
func (c *Checker) HelmRepository(ctx context.Context, kind, repoURL string, skipTLSVerification bool, creds map[string]string) Result {
	if kind == HelmHTTPS {
		return c.helmIndex(ctx, repoURL, skipTLSVerification, creds)
	}
	registryKind, ok := helmOCIRegistry[kind]
	if !ok {
		return result(NotSupported, "unknown Helm repository kind")
	}
	u, err := url.Parse(repoURL)
	if err != nil || u.Host == "" {
		return result(InvalidConfiguration, "the repository URL is not a valid URL")
	}
	if u.Scheme != "oci" {
		return result(InvalidConfiguration, "the repository URL of an OCI kind must be an oci:// URL")
	}
	if u.User != nil {
		return result(InvalidConfiguration, "the repository URL must not contain credentials")
	}
	return c.ContainerRegistry(ctx, registryKind, "https://"+u.Host, creds)
}

func (c *Checker) helmIndex(ctx context.Context, repoURL string, skipTLSVerification bool, creds map[string]string) Result {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	base, bad := parseHTTPS(repoURL, "repository URL")
	if bad != nil {
		return *bad
	}
	user, pass := setting(creds, "username"), setting(creds, "password")
	if (user == "") != (pass == "") {
		return result(InvalidConfiguration, "username and password must be set together")
	}
	cl := c.client(skipTLSVerification)
	defer cl.CloseIdleConnections()
	req := newRequest(ctx, http.MethodGet, endpoint(base, "/index.yaml"))
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	a, err := send(cl, req)
	if err != nil {
		return c.failure(ctx, err)
	}
	switch a.status {
	case http.StatusOK:
	case http.StatusUnauthorized:
		if user == "" {
			return result(InvalidCredentials, "the repository requires credentials and none are set")
		}
		return result(InvalidCredentials, "the repository refused the credentials (401)")
	case http.StatusForbidden:
		return result(Forbidden, "the repository refused access (403)")
	case http.StatusNotFound:
		return result(NotFound, "no index.yaml under this URL (404)")
	default:
		return statusResult(a.status, "the repository")
	}
	if !looksLikeHelmIndex(a.body, a.truncated) {
		return result(UnexpectedResponse, "the answer is not a Helm repository index")
	}
	if user == "" {
		return result(OK, "the repository index is readable without credentials")
	}
	return result(OK, "the repository index is readable with the credentials")
}

// looksLikeHelmIndex reports whether body, the head of an index.yaml,
// has the index's top-level apiVersion and entries keys. Indexes run to tens
// of megabytes, so only their head is read; Helm writes those keys first.
// An index written as JSON is decoded whole.
func looksLikeHelmIndex(body []byte, truncated bool) bool {
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var idx struct {
			APIVersion string          `json:"apiVersion"`
			Entries    json.RawMessage `json:"entries"`
		}
		return !truncated && json.Unmarshal(trimmed, &idx) == nil && idx.APIVersion != "" && len(idx.Entries) > 0 && idx.Entries[0] == '{'
	}
	var apiVersion, entries bool
	sc := bufio.NewScanner(bytes.NewReader(trimmed))
	sc.Buffer(make([]byte, 0, 64<<10), maxBody)
	for sc.Scan() && !(apiVersion && entries) {
		line := sc.Text()
		if line == "" || line[0] == ' ' || line[0] == '\t' || line[0] == '#' || line == "---" {
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return false
		}
		switch strings.TrimSpace(key) {
		case "apiVersion":
			apiVersion = strings.TrimSpace(value) != ""
		case "entries":
			entries = true
		}
	}
	return apiVersion && entries
}
