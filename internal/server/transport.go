package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/orgql/orgql/internal/apperr"
)

// CodeBadRequest is the code of a request the endpoint cannot take: a body
// that is not one JSON object of the GraphQL parameters, a method or media
// type it does not serve, an operation of a kind the method may not carry.
const CodeBadRequest = "BAD_REQUEST"

func init() { errcode.RegisterErrorType(CodeBadRequest, errcode.KindProtocol) }

// maxErrors is how many errors one response to a refused request holds; a
// last one says how many more there were.
const maxErrors = 100

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// The transports below are gqlgen's POST and GET transports with fixed
// messages for what they cannot read (gqlgen's quote the body and Go's
// decoding errors), a refusal of batches, 405 for a mutation over GET, no
// subscription over either, and at most maxErrors errors in an answer.

// postTransport serves POST with a JSON body.
type postTransport struct{}

func (postTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodPost && r.Header.Get("Upgrade") == ""
}

func (postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := responseMediaType(r)
	start := graphql.Now()
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != mediaJSON {
		sendRequestError(w, media, http.StatusUnsupportedMediaType, "a POST must have Content-Type application/json")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		sendRequestError(w, media, http.StatusBadRequest, "cannot read the request body")
		return
	}
	params, documentID, msg := decodeBody(body)
	if msg != "" {
		sendRequestError(w, media, http.StatusBadRequest, msg)
		return
	}
	r = withDocumentID(r, documentID)
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, params, media)
}

// getTransport serves GET with the parameters in the query string.
type getTransport struct{}

func (getTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media := responseMediaType(r)
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		sendRequestError(w, media, http.StatusBadRequest, "the query string is malformed")
		return
	}
	params := &graphql.RawParams{Query: query.Get("query"), OperationName: query.Get("operationName"), Headers: r.Header}
	params.ReadTime.Start = graphql.Now()
	for _, p := range []struct {
		name string
		into *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		if raw := query.Get(p.name); raw != "" {
			if msg := decodeObject(p.name, []byte(raw), p.into); msg != "" {
				sendRequestError(w, media, http.StatusBadRequest, msg)
				return
			}
		}
	}
	params.ReadTime.End = graphql.Now()
	execute(w, withDocumentID(r, query.Get("documentId")), exec, params, media)
}

// unsupportedTransport answers what no other transport serves.
type unsupportedTransport struct{}

func (unsupportedTransport) Supports(*http.Request) bool { return true }

func (unsupportedTransport) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	media := responseMediaType(r)
	switch r.Method {
	case http.MethodGet, http.MethodPost:
		sendRequestError(w, media, http.StatusBadRequest, "unsupported request: send a query by POST with a JSON body, or by GET")
	default:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		sendRequestError(w, media, http.StatusMethodNotAllowed, "method not allowed: use POST or GET")
	}
}

// decodeBody reads a POST body: one JSON object with query, operationName,
// variables and extensions, and documentId (a trusted document named by its
// hash, as graphql-codegen's persisted documents send it). The message for a
// bad body is fixed: it says what is wrong without quoting the body or the
// decoder.
func decodeBody(body []byte) (params *graphql.RawParams, documentID string, msg string) {
	body = bytes.TrimSpace(body)
	switch {
	case len(body) == 0:
		return nil, "", "the request body is empty: send a JSON object with a query"
	case !utf8.Valid(body):
		return nil, "", "the request body is not valid UTF-8"
	case body[0] == '[':
		return nil, "", "batched requests are not supported: send one operation per request"
	case body[0] != '{':
		return nil, "", "the request body must be a JSON object"
	}
	var members struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
		Extensions    map[string]any `json:"extensions"`
		DocumentID    string         `json:"documentId"`
	}
	err := decodeJSON(body, &members)
	var wrongType *json.UnmarshalTypeError
	switch {
	case errors.As(err, &wrongType) && (wrongType.Field == "query" || wrongType.Field == "operationName" || wrongType.Field == "documentId"):
		return nil, "", `"` + wrongType.Field + `" must be a string`
	case errors.As(err, &wrongType) && (wrongType.Field == "variables" || wrongType.Field == "extensions"):
		return nil, "", `"` + wrongType.Field + `" must be a JSON object`
	case err != nil:
		return nil, "", "the request body is not a valid JSON object"
	}
	return &graphql.RawParams{
		Query: members.Query, OperationName: members.OperationName,
		Variables: members.Variables, Extensions: members.Extensions,
	}, members.DocumentID, ""
}

type documentIDKey struct{}

// withDocumentID keeps the request's documentId, if any, for trustedFill.
func withDocumentID(r *http.Request, id string) *http.Request {
	if id == "" {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), documentIDKey{}, id))
}

// documentID is the documentId of the request of ctx, or "".
func documentID(ctx context.Context) string {
	id, _ := ctx.Value(documentIDKey{}).(string)
	return id
}

// decodeObject decodes the JSON object raw of the parameter name.
func decodeObject(name string, raw []byte, into *map[string]any) string {
	raw = bytes.TrimSpace(raw)
	switch {
	case !utf8.Valid(raw):
		return `"` + name + `" is not valid UTF-8`
	case len(raw) == 0 || raw[0] != '{':
		return `"` + name + `" must be a JSON object`
	case decodeJSON(raw, into) != nil:
		return `"` + name + `" is not a valid JSON object`
	}
	return ""
}

// decodeJSON decodes raw, one JSON value and nothing after it, into v,
// keeping numbers as json.Number as gqlgen does.
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// execute runs params and writes the answer, as gqlgen's transports do: a
// refused request is 422 with application/json and 400 with
// application/graphql-response+json, unless it was refused for its method.
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, media string) {
	info := &plainRequest{method: r.Method}
	ctx := context.WithValue(r.Context(), plainRequestKey{}, info)
	w.Header().Set("Content-Type", media)
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		if info.errs != nil {
			errs = info.errs
		}
		status := http.StatusOK
		switch {
		case info.status != 0:
			status = info.status
		case unauthenticated(errs) && media == mediaGraphQLResponse:
			// GraphQL over HTTP: a client not permitted to issue the request.
			status = http.StatusUnauthorized
			w.Header().Set("WWW-Authenticate", `Bearer realm="orgql"`)
		case errcode.GetErrorKind(errs) == errcode.KindProtocol && media == mediaGraphQLResponse:
			status = http.StatusBadRequest
		case errcode.GetErrorKind(errs) == errcode.KindProtocol:
			status = http.StatusUnprocessableEntity
		}
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodPost)
		}
		w.WriteHeader(status)
		writeJSON(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), capErrors(errs)))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeJSON(w, responses(ctx))
}

// unauthenticated reports whether the request was refused for want of a caller.
func unauthenticated(errs gqlerror.List) bool {
	return len(errs) == 1 && errs[0].Extensions["code"] == apperr.CodeUnauthenticated
}

// capErrors keeps the first maxErrors errors and says how many were left out.
func capErrors(errs gqlerror.List) gqlerror.List {
	if len(errs) <= maxErrors {
		return errs
	}
	code, _ := errs[maxErrors].Extensions["code"].(string)
	return append(errs[:maxErrors:maxErrors], omitted(len(errs)-maxErrors, code))
}

// omitted is the last error of a list cut after maxErrors.
func omitted(n int, code string) *gqlerror.Error {
	err := gqlerror.Errorf("too many errors: %d more were left out", n)
	if code != "" {
		errcode.Set(err, code)
	}
	return err
}

// plainRequest is a POST or GET carrying JSON: it allows queries, and
// mutations by POST only (subscriptions need a stream), and it takes the
// validation errors of its document from documentCheck.
type plainRequest struct {
	method string
	status int           // set when the request is refused for its method or its parameters
	errs   gqlerror.List // the document's validation errors, when documentCheck validated it
}

type plainRequestKey struct{}

func plainRequestFrom(ctx context.Context) *plainRequest {
	p, _ := ctx.Value(plainRequestKey{}).(*plainRequest)
	return p
}

// allows refuses op if the request may not carry it; nil allows everything.
func (p *plainRequest) allows(op *ast.OperationDefinition) *gqlerror.Error {
	if p == nil || op == nil {
		return nil
	}
	var err *gqlerror.Error
	switch {
	case op.Operation == ast.Subscription:
		p.status = http.StatusBadRequest
		err = gqlerror.ErrorPosf(op.Position, "subscriptions are served over WebSocket (graphql-transport-ws or graphql-ws) or Server-Sent Events (Accept: text/event-stream), not by plain %s", p.method)
	case op.Operation == ast.Mutation && p.method != http.MethodPost:
		p.status = http.StatusMethodNotAllowed
		err = gqlerror.ErrorPosf(op.Position, "a mutation must be sent by POST")
	default:
		return nil
	}
	errcode.Set(err, CodeBadRequest)
	return err
}

// responseMediaType is gqlgen's choice: application/graphql-response+json
// when Accept prefers it, else application/json.
func responseMediaType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

func sendRequestError(w http.ResponseWriter, media string, status int, msg string) {
	err := gqlerror.Errorf("%s", msg)
	errcode.Set(err, CodeBadRequest)
	w.Header().Set("Content-Type", media)
	w.WriteHeader(status)
	writeJSON(w, &graphql.Response{Errors: gqlerror.List{err}})
}

// writeJSON writes resp as json.Marshal would, without json.Marshal's pass
// over the data: gqlgen has written it as compact JSON already, so it only
// needs the escaping of <, > and & (and U+2028, U+2029) that json.Marshal
// gives every string. One buffer per response, taken from a pool.
func writeJSON(w io.Writer, resp *graphql.Response) {
	buf := responseBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledResponse {
			buf.Reset()
			responseBuffers.Put(buf)
		}
	}()
	buf.WriteByte('{')
	if len(resp.Errors) > 0 {
		buf.WriteString(`"errors":`)
		marshalInto(buf, resp.Errors)
		buf.WriteByte(',')
	}
	buf.WriteString(`"data":`)
	if resp.Data == nil {
		buf.WriteString("null")
	} else {
		json.HTMLEscape(buf, resp.Data)
	}
	if resp.Label != "" {
		buf.WriteString(`,"label":`)
		marshalInto(buf, resp.Label)
	}
	if len(resp.Path) > 0 {
		buf.WriteString(`,"path":`)
		marshalInto(buf, resp.Path)
	}
	if resp.HasNext != nil {
		buf.WriteString(`,"hasNext":`)
		marshalInto(buf, *resp.HasNext)
	}
	if len(resp.Extensions) > 0 {
		buf.WriteString(`,"extensions":`)
		marshalInto(buf, resp.Extensions)
	}
	buf.WriteByte('}')
	_, _ = w.Write(buf.Bytes())
}

// maxPooledResponse is the largest buffer kept for another response.
const maxPooledResponse = 1 << 20

var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func marshalInto(buf *bytes.Buffer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // recovered by gqlgen's handler as an internal error
	}
	buf.Write(b)
}
