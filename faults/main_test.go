// Package faults_test proves, with tests that can fail, that Touchbase
// loses no data and lets no one in where they do not belong under faults
// and bad input: a SIGKILL in the middle of a storm of marks, racing
// managers, fuzzed query strings, hostile request bodies, every role
// against every collection and route, and a backup restored into a fresh
// data dir.
//
// Longer variants run with TOUCHBASE_SOAK=1 (see soak below).
package faults_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"touchbase/internal/testapp"
)

func TestMain(m *testing.M) { testapp.Main(m) }

// soak reports whether the long variants were asked for
// (TOUCHBASE_SOAK=1): more crash runs with random kill points and more
// race iterations. CI runs the short ones.
func soak() bool { return os.Getenv("TOUCHBASE_SOAK") != "" }

// handler builds app's real router (PocketBase's routes and every route
// bound on serve) as an http.Handler, for in-process requests without a
// socket: the fuzz target sends thousands of them.
func handler(t testing.TB, app *tests.TestApp) http.Handler {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var mux http.Handler
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: router}, func(e *core.ServeEvent) error {
		var buildErr error
		mux, buildErr = e.Router.BuildMux()
		return buildErr
	})
	if err != nil {
		t.Fatal(err)
	}
	return mux
}

// answer is one decoded response.
type answer struct {
	Status int
	Body   string
	JSON   map[string]any
}

// do sends one request to h as user id ("" = anonymous) with the given
// content type ("" = application/json when there is a body).
func do(h http.Handler, method, path, id, contentType, body string) answer {
	return doBody(h, method, path, id, contentType, strings.NewReader(body), int64(len(body)))
}

// doBody is do with a body read from r; length is the declared
// Content-Length (-1: unknown, as for a chunked upload).
func doBody(h http.Handler, method, path, id, contentType string, r io.Reader, length int64) answer {
	req := httptest.NewRequest(method, path, r)
	req.ContentLength = length
	if contentType == "" && length != 0 {
		contentType = "application/json"
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range testapp.Auth(id) {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	out := answer{Status: rec.Code, Body: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &out.JSON)
	return out
}

// fieldsNamed returns the keys of an error answer's "data" object: the
// fields or parameters the error names.
func fieldsNamed(a answer) []string {
	data, _ := a.JSON["data"].(map[string]any)
	names := make([]string, 0, len(data))
	for k := range data {
		names = append(names, k)
	}
	return names
}

// jsonDecode decodes raw into every target; the error says raw is not
// JSON (or not of the targets' shape).
func jsonDecode(raw []byte, targets ...any) error {
	for _, target := range targets {
		if err := json.Unmarshal(raw, target); err != nil {
			return err
		}
	}
	return nil
}
