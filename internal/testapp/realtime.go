package testapp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Event is one realtime message a test connection received.
type Event struct {
	Topic, Action, Collection, Id, Client string
	Data                                  string
}

// Conn is one realtime connection (an SSE stream), as a page or an
// automation holds it.
type Conn struct {
	srv      *httptest.Server
	clientId string
	// Lang, when set, is the Accept-Language of the subscribe requests.
	Lang string

	mu     sync.Mutex
	events []Event
}

// Connect opens a realtime connection and records every message on it
// until the test ends.
func Connect(t testing.TB, srv *httptest.Server) *Conn {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/realtime", nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(res.Body)
	name, data, err := nextEvent(r)
	if err != nil || name != "PB_CONNECT" {
		t.Fatalf("first event %q: %v", name, err)
	}
	var hello struct{ ClientId string }
	json.Unmarshal([]byte(data), &hello)
	c := &Conn{srv: srv, clientId: hello.ClientId}
	go func() {
		defer res.Body.Close()
		for {
			name, data, err := nextEvent(r)
			if err != nil {
				return
			}
			var msg struct {
				Action string         `json:"action"`
				Record map[string]any `json:"record"`
			}
			json.Unmarshal([]byte(data), &msg)
			str := func(k string) string { v, _ := msg.Record[k].(string); return v }
			c.mu.Lock()
			c.events = append(c.events, Event{Topic: name, Action: msg.Action, Collection: str("collectionName"),
				Id: str("id"), Client: str("client"), Data: data})
			c.mu.Unlock()
		}
	}()
	return c
}

// Got returns the events received so far.
func (c *Conn) Got() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

// Since returns the events received after the first n.
func (c *Conn) Since(n int) []Event {
	return c.Got()[n:]
}

// subscribeBody is the body of a subscribe request.
func (c *Conn) subscribeBody(topics []string) []byte {
	body, _ := json.Marshal(map[string]any{"clientId": c.clientId, "subscriptions": topics})
	return body
}

// Subscribe sets the connection's subscriptions with token ("" = none) and
// returns the status and body of the answer.
func (c *Conn) Subscribe(t testing.TB, token string, topics ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+"/api/realtime", bytes.NewReader(c.subscribeBody(topics)))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := c.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(raw)
}

// MustSubscribe is Subscribe that expects a 204.
func (c *Conn) MustSubscribe(t testing.TB, token string, topics ...string) {
	t.Helper()
	if status, body := c.Subscribe(t, token, topics...); status != http.StatusNoContent {
		t.Fatalf("subscribe %v: %d %s", topics, status, body)
	}
}

// Held is a subscribe request whose body is only partly sent: its headers
// (and so its token) reached the server, the rest waits for Finish.
type Held struct {
	netConn net.Conn
	rest    []byte
}

// HoldSubscribe starts a subscribe request for topics with token and
// sends all but the last bytes of its body.
func (c *Conn) HoldSubscribe(t testing.TB, token string, topics ...string) *Held {
	t.Helper()
	u, _ := url.Parse(c.srv.URL)
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	body := c.subscribeBody(topics)
	head := fmt.Sprintf("POST /api/realtime HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAuthorization: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		u.Host, token, len(body))
	cut := len(body) - 5
	if _, err := nc.Write(append([]byte(head), body[:cut]...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the server has read the headers and authenticated the request
	return &Held{netConn: nc, rest: body[cut:]}
}

// Finish sends the rest of the body and returns the answer's status.
func (h *Held) Finish(t testing.TB) int {
	t.Helper()
	if _, err := h.netConn.Write(h.rest); err != nil {
		t.Fatal(err)
	}
	h.netConn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(h.netConn), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func nextEvent(r *bufio.Reader) (string, string, error) {
	var name, data string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", "", err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if name != "" {
				return name, data, nil
			}
		case strings.HasPrefix(line, "event:"):
			name = line[len("event:"):]
		case strings.HasPrefix(line, "data:"):
			data += line[len("data:"):]
		}
	}
}

// WaitFor waits up to five seconds for ok.
func WaitFor(t testing.TB, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// Settle gives a misdirected message time to arrive before a test asserts
// that it did not.
func Settle() { time.Sleep(300 * time.Millisecond) }
