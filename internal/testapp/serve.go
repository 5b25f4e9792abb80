package testapp

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// Serve starts app's real router (PocketBase's routes plus every route
// bound on serve) on a loopback test server, for tests that need several
// requests at once, such as concurrent marks. It stops when the test ends.
func Serve(t testing.TB, app *tests.TestApp) *httptest.Server {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	event := &core.ServeEvent{App: app, Router: router}
	var mux http.Handler
	err = app.OnServe().Trigger(event, func(e *core.ServeEvent) error {
		var buildErr error
		mux, buildErr = e.Router.BuildMux()
		return buildErr
	})
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	return server
}

// Response is a decoded JSON answer of the test server.
type Response struct {
	Status int
	Body   string
	JSON   map[string]any
}

// Request sends one JSON request as user id ("" = anonymous).
func Request(t testing.TB, server *httptest.Server, method, path, id, body string) Response {
	t.Helper()
	return RequestWith(t, server, method, path, id, body, nil)
}

// RequestWith is Request with more headers (e.g. Accept-Language).
func RequestWith(t testing.TB, server *httptest.Server, method, path, id, body string, headers map[string]string) Response {
	t.Helper()
	req, err := http.NewRequest(method, server.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range Auth(id) {
		req.Header.Set(k, v)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := server.Client().Do(req)
	if err != nil {
		t.Error(err)
		return Response{}
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := Response{Status: res.StatusCode, Body: string(raw)}
	_ = json.Unmarshal(raw, &out.JSON)
	return out
}
