//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
)

// destinationHeader is the header in which the picker tells the gateway
// which endpoint (ip:port) to send a request to: the Gateway API Inference
// Extension's protocol between a gateway and its endpoint picker.
const destinationHeader = "x-gateway-destination-endpoint"

// A gateway stands in for an inference-aware Gateway (Envoy with the
// ext-proc filter, as Istio or agentgateway run it): for each request it
// asks the endpoint picker over ext-proc where to send it, sends it there
// with whatever the picker changed, and hands the response back to the
// picker, as Envoy does for a route whose backend is an InferencePool.
type gateway struct {
	conn   *grpc.ClientConn
	client extprocv3.ExternalProcessorClient
	http   *http.Client
}

// newGateway connects to the picker's ext-proc port at addr. The picker
// serves a self-signed certificate (--secure-serving defaults to true), so
// the gateway verifies none, as the DestinationRule the function composes
// for Istio says (tls SIMPLE, insecureSkipVerify).
func newGateway(addr string) (*gateway, error) {
	creds := credentials.NewTLS(&tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // the picker's certificate is self-signed, as in a cluster.
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, fmt.Errorf("cannot connect to the picker at %s: %w", addr, err)
	}
	return &gateway{
		conn:   conn,
		client: extprocv3.NewExternalProcessorClient(conn),
		http:   &http.Client{Timeout: 10 * time.Second},
	}, nil
}

func (g *gateway) Close() error { return g.conn.Close() }

// connected says whether the gateway's connection to the picker is up, and
// starts connecting if it is not. The picker reports ready before its
// ext-proc server listens (it makes its serving certificate first); a
// gateway connects when it can.
func (g *gateway) connected() (bool, string) {
	g.conn.Connect()
	st := g.conn.GetState()
	return st == connectivity.Ready, "connection to the picker: " + st.String()
}

// A routed request is what the gateway did with one request.
type routed struct {
	// endpoint is where the picker sent it.
	endpoint string
	// status and body are the model server's answer, after the picker
	// saw it.
	status int
	body   []byte
}

// completion sends a completion request for model through the picker to
// the endpoint it picks.
func (g *gateway) completion(ctx context.Context, model, prompt string) (routed, error) {
	body, err := json.Marshal(struct {
		Model     string `json:"model"`
		Prompt    string `json:"prompt"`
		MaxTokens int    `json:"max_tokens"`
	}{model, prompt, 1})
	if err != nil {
		return routed{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	stream, err := g.client.Process(ctx)
	if err != nil {
		return routed{}, fmt.Errorf("cannot open an ext-proc stream: %w", err)
	}
	// The request phase: headers, then the body, as Envoy streams them
	// (body mode FULL_DUPLEX_STREAMED, as GIE's Envoy configuration sets).
	if err := stream.Send(requestHeaders(map[string]string{
		":method": http.MethodPost, ":path": "/v1/completions", ":scheme": "http",
		":authority": "gateway.e2e", "content-type": "application/json",
	})); err != nil {
		return routed{}, fmt.Errorf("cannot send the request headers: %w", err)
	}
	if err := stream.Send(&extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestBody{
		RequestBody: &extprocv3.HttpBody{Body: body, EndOfStream: true},
	}}); err != nil {
		return routed{}, fmt.Errorf("cannot send the request body: %w", err)
	}
	endpoint, newBody, err := readRequestMutations(stream)
	if err != nil {
		return routed{}, err
	}

	// To the endpoint the picker picked, with the body it sent back.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+endpoint+"/v1/completions", bytes.NewReader(newBody))
	if err != nil {
		return routed{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	rsp, err := g.http.Do(req)
	if err != nil {
		return routed{endpoint: endpoint}, fmt.Errorf("the endpoint %s the picker picked does not answer: %w", endpoint, err)
	}
	rspBody, err := io.ReadAll(rsp.Body)
	_ = rsp.Body.Close()
	if err != nil {
		return routed{endpoint: endpoint}, err
	}

	// The response phase: the picker sees the answer (it accounts for
	// the request there) and may change it.
	if err := stream.Send(&extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_ResponseHeaders{
		ResponseHeaders: &extprocv3.HttpHeaders{Headers: headerMap(map[string]string{
			":status": fmt.Sprint(rsp.StatusCode), "content-type": rsp.Header.Get("Content-Type"),
		})},
	}}); err != nil {
		return routed{}, fmt.Errorf("cannot send the response headers: %w", err)
	}
	if err := stream.Send(&extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_ResponseBody{
		ResponseBody: &extprocv3.HttpBody{Body: rspBody, EndOfStream: true},
	}}); err != nil {
		return routed{}, fmt.Errorf("cannot send the response body: %w", err)
	}
	finalBody, err := readResponseMutations(stream, rspBody)
	if err != nil {
		return routed{}, err
	}
	if err := stream.CloseSend(); err != nil {
		return routed{}, err
	}
	return routed{endpoint: endpoint, status: rsp.StatusCode, body: finalBody}, nil
}

// readRequestMutations reads the picker's answers to the request phase: the
// headers response that names the destination, then the body, streamed back
// in chunks up to the end of the stream. An immediate response is the
// picker refusing the request.
func readRequestMutations(stream extprocv3.ExternalProcessor_ProcessClient) (endpoint string, body []byte, err error) {
	for {
		rsp, err := stream.Recv()
		if err != nil {
			return "", nil, fmt.Errorf("the picker closed the stream during the request phase: %w", err)
		}
		switch r := rsp.GetResponse().(type) {
		case *extprocv3.ProcessingResponse_ImmediateResponse:
			return "", nil, fmt.Errorf("the picker refused the request: %s %s",
				r.ImmediateResponse.GetStatus().GetCode(), r.ImmediateResponse.GetBody())
		case *extprocv3.ProcessingResponse_RequestHeaders:
			for _, h := range r.RequestHeaders.GetResponse().GetHeaderMutation().GetSetHeaders() {
				if strings.EqualFold(h.GetHeader().GetKey(), destinationHeader) {
					endpoint = headerValue(h.GetHeader())
				}
			}
			if endpoint == "" {
				return "", nil, fmt.Errorf("the picker set no %s header", destinationHeader)
			}
		case *extprocv3.ProcessingResponse_RequestBody:
			chunk := r.RequestBody.GetResponse().GetBodyMutation().GetStreamedResponse()
			if chunk == nil {
				return "", nil, errors.New("the picker answered the request body without a streamed body")
			}
			body = append(body, chunk.GetBody()...)
			if chunk.GetEndOfStream() {
				if endpoint == "" {
					return "", nil, errors.New("the picker sent the body back before naming a destination")
				}
				return endpoint, body, nil
			}
		default:
			return "", nil, fmt.Errorf("unexpected answer from the picker during the request phase: %T", r)
		}
	}
}

// readResponseMutations reads the picker's answers to the response phase and
// returns the body the client gets: the picker's streamed body if it sent
// one, else the model server's.
func readResponseMutations(stream extprocv3.ExternalProcessor_ProcessClient, original []byte) ([]byte, error) {
	var body []byte
	for {
		rsp, err := stream.Recv()
		if err != nil {
			return nil, fmt.Errorf("the picker closed the stream during the response phase: %w", err)
		}
		switch r := rsp.GetResponse().(type) {
		case *extprocv3.ProcessingResponse_ResponseHeaders:
		case *extprocv3.ProcessingResponse_ResponseBody:
			chunk := r.ResponseBody.GetResponse().GetBodyMutation().GetStreamedResponse()
			if chunk == nil {
				return original, nil
			}
			body = append(body, chunk.GetBody()...)
			if chunk.GetEndOfStream() {
				return body, nil
			}
		default:
			return nil, fmt.Errorf("unexpected answer from the picker during the response phase: %T", r)
		}
	}
}

func requestHeaders(h map[string]string) *extprocv3.ProcessingRequest {
	return &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestHeaders{
		RequestHeaders: &extprocv3.HttpHeaders{Headers: headerMap(h)},
	}}
}

// headerMap builds Envoy's header map; Envoy sends values as raw bytes.
func headerMap(h map[string]string) *corev3.HeaderMap {
	out := &corev3.HeaderMap{}
	for _, k := range sortedKeys(h) {
		out.Headers = append(out.Headers, &corev3.HeaderValue{Key: k, RawValue: []byte(h[k])})
	}
	return out
}

func headerValue(h *corev3.HeaderValue) string {
	if len(h.GetRawValue()) > 0 {
		return string(h.GetRawValue())
	}
	return h.GetValue()
}
