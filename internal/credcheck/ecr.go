package credcheck

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

var awsRegion = regexp.MustCompile(`^[a-z]{2}(-gov)?-[a-z]+-[0-9]+$`)

// AWS error types that mean the keys themselves were refused, and those
// that mean they are valid but not allowed the call.
var (
	awsRefusedKeys = map[string]bool{
		"UnrecognizedClientException": true, "InvalidSignatureException": true,
		"InvalidClientTokenId": true, "SignatureDoesNotMatch": true,
		"IncompleteSignature": true, "MissingAuthenticationTokenException": true,
		"ExpiredTokenException": true,
	}
	awsDenied = map[string]bool{"AccessDeniedException": true, "AccessDenied": true}
)

// awsCall is one AWS JSON API call.
type awsCall struct {
	endpoint *url.URL
	service  string // signing name
	region   string
	target   string // X-Amz-Target
	action   string // the IAM action, for the message when it is denied
}

// ecr checks a private ECR registry: the access keys get an authorization
// token from ECR's API (GetAuthorizationToken, signed with SigV4), and the
// registry must accept the login that token is.
func (c *Checker) ecr(ctx context.Context, registryURL string, get func(string) string) Result {
	id, secret := get("accessKeyID"), get("secretAccessKey")
	switch {
	case id == "" && secret == "" && get("roleARN") != "":
		return result(NotSupported, "orgql cannot check an ECR registry reached through roleARN: the role is assumed by the platform's own AWS account, which orgql does not hold; store access keys to have them checked")
	case id == "" && secret == "":
		return result(InvalidConfiguration, "accessKeyID and secretAccessKey are not set")
	case id == "" || secret == "":
		return result(InvalidConfiguration, "accessKeyID and secretAccessKey must be set together")
	}
	region := get("region")
	if !awsRegion.MatchString(region) {
		return result(InvalidConfiguration, "region is not an AWS region")
	}
	if registryURL == "" {
		return result(InvalidConfiguration, "the registry URL is not set")
	}
	reg, bad := parseHTTPS(registryURL, "registry URL")
	if bad != nil {
		return *bad
	}
	suffix := ".amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = ".amazonaws.com.cn"
	}
	api, bad := parseHTTPS(orDefault(c.ECREndpoint, "https://api.ecr."+region+suffix), "ECR endpoint")
	if bad != nil {
		return *bad
	}

	cl := c.client(false)
	defer cl.CloseIdleConnections()
	a, fail := c.callAWS(ctx, cl, awsCall{
		endpoint: api, service: "ecr", region: region,
		target: "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
		action: "ecr:GetAuthorizationToken",
	}, awsKeys{id, secret})
	if fail != nil {
		return *fail
	}
	var out struct {
		AuthorizationData []struct {
			AuthorizationToken string `json:"authorizationToken"`
		} `json:"authorizationData"`
	}
	if json.Unmarshal(a.body, &out) != nil || len(out.AuthorizationData) == 0 {
		return result(UnexpectedResponse, "ECR did not answer with an authorization token")
	}
	return c.ecrLogin(ctx, cl, reg, out.AuthorizationData[0].AuthorizationToken, "ECR")
}

// publicECR checks ECR Public: anonymously without keys, otherwise the keys
// get an authorization token from ECR Public's API (which lives in
// us-east-1 only) and the registry must accept it.
func (c *Checker) publicECR(ctx context.Context, registryURL string, get func(string) string) Result {
	id, secret := get("accessKeyID"), get("secretAccessKey")
	switch {
	case id == "" && secret == "":
		return c.registry(ctx, registryURL, nil)
	case id == "" || secret == "":
		return result(InvalidConfiguration, "accessKeyID and secretAccessKey must be set together")
	}
	reg, bad := parseHTTPS(registryURL, "registry URL")
	if bad != nil {
		return *bad
	}
	api, bad := parseHTTPS(orDefault(c.ECRPublicEndpoint, "https://api.ecr-public.us-east-1.amazonaws.com"), "ECR Public endpoint")
	if bad != nil {
		return *bad
	}
	cl := c.client(false)
	defer cl.CloseIdleConnections()
	a, fail := c.callAWS(ctx, cl, awsCall{
		endpoint: api, service: "ecr-public", region: "us-east-1",
		target: "SpencerFrontendService.GetAuthorizationToken",
		action: "ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken",
	}, awsKeys{id, secret})
	if fail != nil {
		return *fail
	}
	var out struct {
		AuthorizationData struct {
			AuthorizationToken string `json:"authorizationToken"`
		} `json:"authorizationData"`
	}
	if json.Unmarshal(a.body, &out) != nil {
		return result(UnexpectedResponse, "ECR Public did not answer with an authorization token")
	}
	return c.ecrLogin(ctx, cl, reg, out.AuthorizationData.AuthorizationToken, "ECR Public")
}

// ecrLogin checks the registry with the login an ECR authorization token
// encodes (base64 of "AWS:<password>").
func (c *Checker) ecrLogin(ctx context.Context, cl *http.Client, reg *url.URL, token, service string) Result {
	raw, err := base64.StdEncoding.DecodeString(token)
	user, pass, found := strings.Cut(string(raw), ":")
	if err != nil || !found || user == "" || pass == "" {
		return result(UnexpectedResponse, "%s did not answer with a usable authorization token", service)
	}
	r := c.pingV2(ctx, cl, &url.URL{Scheme: "https", Host: reg.Host}, &login{user, pass})
	if r.Status == OK {
		return result(OK, "AWS accepted the access keys and the registry accepted the login they obtained")
	}
	return r
}

// callAWS signs and sends one AWS JSON API call, answering a Result when it
// did not succeed.
func (c *Checker) callAWS(ctx context.Context, cl *http.Client, call awsCall, keys awsKeys) (*answer, *Result) {
	payload := []byte("{}")
	req := newRequestWithBody(ctx, http.MethodPost, endpoint(call.endpoint, "/"), payload)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", call.target)
	signV4(req, payload, keys, call.region, call.service, c.clock())
	a, err := send(cl, req)
	if err != nil {
		r := c.failure(ctx, err)
		return nil, &r
	}
	if a.status == http.StatusOK {
		if a.truncated {
			r := result(UnexpectedResponse, "AWS answered more than orgql reads")
			return nil, &r
		}
		return a, nil
	}
	kind := awsErrorType(a)
	var r Result
	switch {
	case awsRefusedKeys[kind]:
		r = result(InvalidCredentials, "AWS refused the access keys")
	case awsDenied[kind]:
		r = result(Forbidden, "AWS accepted the access keys but they are not allowed %s", call.action)
	default:
		r = statusResult(a.status, "AWS")
	}
	return nil, &r
}

// awsErrorType reads the error type of an AWS JSON answer, from the
// X-Amzn-ErrorType header ("Type:namespace") or the body's __type
// ("namespace#Type").
func awsErrorType(a *answer) string {
	if h := a.header.Get("X-Amzn-Errortype"); h != "" {
		t, _, _ := strings.Cut(h, ":")
		return t
	}
	var body struct {
		Type string `json:"__type"`
	}
	if json.Unmarshal(a.body, &body) != nil {
		return ""
	}
	if i := strings.LastIndexByte(body.Type, '#'); i >= 0 {
		return body.Type[i+1:]
	}
	return body.Type
}
