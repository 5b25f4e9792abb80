package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// subscriber is one realtime connection of a point manager, subscribed to
// touches/* with their own auth.
type subscriber struct {
	point  int
	cancel context.CancelFunc

	mu     sync.Mutex
	events []received
}

type received struct {
	client string
	at     time.Time
}

// connect opens the SSE stream, waits for PB_CONNECT, subscribes with the
// token and then records every touches/* event until ctx ends.
func (s *subscriber) connect(ctx context.Context, client *http.Client, base, token string, topics []string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/realtime", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return fmt.Errorf("GET /api/realtime: %d", res.StatusCode)
	}
	r := bufio.NewReader(res.Body)
	name, data, err := readEvent(r)
	if err != nil || name != "PB_CONNECT" {
		res.Body.Close()
		return fmt.Errorf("no PB_CONNECT (%q): %v", name, err)
	}
	var connect struct {
		ClientId string `json:"clientId"`
	}
	if err := json.Unmarshal(data, &connect); err != nil {
		res.Body.Close()
		return err
	}
	body, _ := json.Marshal(map[string]any{"clientId": connect.ClientId, "subscriptions": topics})
	sub, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/realtime", bytes.NewReader(body))
	sub.Header.Set("Content-Type", "application/json")
	sub.Header.Set("Authorization", token)
	subRes, err := client.Do(sub)
	if err != nil {
		res.Body.Close()
		return err
	}
	subRes.Body.Close()
	if subRes.StatusCode != http.StatusNoContent {
		res.Body.Close()
		return fmt.Errorf("POST /api/realtime: %d", subRes.StatusCode)
	}

	go func() {
		defer res.Body.Close()
		for {
			name, data, err := readEvent(r)
			if err != nil {
				return
			}
			at := time.Now()
			if !strings.HasPrefix(name, "touches/") {
				continue
			}
			var ev struct {
				Action string `json:"action"`
				Record struct {
					Client string `json:"client"`
				} `json:"record"`
			}
			if json.Unmarshal(data, &ev) == nil && ev.Action == "create" {
				s.mu.Lock()
				s.events = append(s.events, received{ev.Record.Client, at})
				s.mu.Unlock()
			}
		}
	}()
	return nil
}

// readEvent reads one server-sent event: its name and data.
func readEvent(r *bufio.Reader) (string, []byte, error) {
	var name string
	var data []byte
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return "", nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if name != "" || data != nil {
				return name, data, nil
			}
		case bytes.HasPrefix(line, []byte("event:")):
			name = strings.TrimSpace(string(line[6:]))
		case bytes.HasPrefix(line, []byte("data:")):
			data = append(data, bytes.TrimPrefix(line[5:], []byte(" "))...)
		}
	}
}

// benchRealtime measures a mark with Subscribers realtime subscribers
// (point managers, spread evenly over the points, each with their own
// token) against a mark with none (half before connecting them, half after
// they left), the delivery delay to the subscribers of the marked client's
// point, and that the subscribers of the other points receive nothing.
func benchRealtime(cfg Config, h *httpClient, fx *fixture, res *Results) error {
	sc := cfg.Scale
	np := len(fx.points)
	n := 0
	var cpuWithout, cpuWith time.Duration
	markSeq := func(count int) ([]time.Duration, map[string]markedAt, error) {
		cpu := fx.serverCPU()
		defer func() {
			if n > sc.RealtimeMarks/2 && n <= sc.RealtimeMarks/2+sc.RealtimeMarks {
				cpuWith += fx.serverCPU() - cpu
			} else {
				cpuWithout += fx.serverCPU() - cpu
			}
		}()
		var lat []time.Duration
		marked := map[string]markedAt{}
		for range count {
			pi := n % np
			m, err := fx.nextMark(pi, n/np)
			if err != nil {
				return nil, nil, err
			}
			n++
			started := time.Now()
			d, err := h.send(m)
			if err != nil {
				return nil, nil, err
			}
			lat = append(lat, d)
			marked[m.client] = markedAt{point: pi, start: started, end: started.Add(d)}
		}
		return lat, marked, nil
	}

	before, _, err := markSeq(sc.RealtimeMarks / 2)
	if err != nil {
		return err
	}

	// connect the subscribers
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 0}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	subs := make([]*subscriber, sc.Subscribers)
	connectStarted := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var connectErr error
	sem := make(chan struct{}, 32)
	for i := range subs {
		pi := i % np
		p := fx.points[pi]
		token := p.managers[(i/np)%len(p.managers)].token
		subs[i] = &subscriber{point: pi}
		wg.Add(1)
		sem <- struct{}{}
		go func(s *subscriber) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := s.connect(ctx, client, h.base, token, []string{"touches/*"}); err != nil {
				mu.Lock()
				connectErr = err
				mu.Unlock()
			}
		}(subs[i])
	}
	wg.Wait()
	if connectErr != nil {
		return fmt.Errorf("connecting subscribers: %w", connectErr)
	}
	logf(cfg.Log, "%d subscribers connected in %s", len(subs), time.Since(connectStarted).Round(time.Millisecond))
	time.Sleep(200 * time.Millisecond)

	with, marked, err := markSeq(sc.RealtimeMarks)
	if err != nil {
		return err
	}

	// wait for the deliveries
	perPoint := make([]int, np)
	for _, s := range subs {
		perPoint[s.point]++
	}
	expected := 0
	for _, m := range marked {
		expected += perPoint[m.point]
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && countEvents(subs) < expected {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // anything misdirected would arrive by now
	cancel()

	var delays []time.Duration
	foreign, got := 0, 0
	for _, s := range subs {
		s.mu.Lock()
		for _, ev := range s.events {
			m, ok := marked[ev.client]
			if !ok || m.point != s.point {
				foreign++
				continue
			}
			got++
			delays = append(delays, ev.at.Sub(m.start))
		}
		s.mu.Unlock()
	}
	time.Sleep(500 * time.Millisecond) // let the server drop the connections

	after, _, err := markSeq(sc.RealtimeMarks - sc.RealtimeMarks/2)
	if err != nil {
		return err
	}

	base, wd := percentiles(append(before, after...)), percentiles(with)
	dd := percentiles(delays)
	logf(cfg.Log, "mark without subscribers %s; with %d: %s; delivery %s; %d/%d delivered, %d to other points",
		base, len(subs), wd, dd, got, expected, foreign)
	res.add("3", "mark, no realtime subscriber: "+base.String(), ms(base.p50), "", "", true)
	res.add("3", fmt.Sprintf("mark with %d subscribers (touches/*, own auth each, %d points): %s", len(subs), np, wd), ms(wd.p50),
		ratio(msf(wd.p50), msf(base.p50))+" (p95 "+ratio(msf(wd.p95), msf(base.p95))+")", "≤ 3×", msf(wd.p50) <= 3*msf(base.p50))
	perMark := func(d time.Duration, n int) float64 { return msf(d) / float64(max(n, 1)) }
	cw, cwo := perMark(cpuWith, len(with)), perMark(cpuWithout, len(before)+len(after))
	res.add("3", "server CPU per mark (user + system): without subscribers → with", fmt.Sprintf("%.2f → %.2f ms", cwo, cw), ratio(cw, cwo), "", true)
	res.add("3", "delivery delay to the same point's subscribers (from sending the mark): "+dd.String(), ms(dd.p95)+" p95", "", "p95 ≤ 200 ms", dd.p95 <= 200*time.Millisecond)
	res.add("3", "events delivered to the marked client's point", fmt.Sprintf("%d of %d", got, expected), "", "all", got == expected)
	res.add("3", "events delivered to other points' subscribers", fmt.Sprint(foreign), "", "0", foreign == 0)
	res.Raw["rt_base_p50_ms"], res.Raw["rt_with_p50_ms"] = msf(base.p50), msf(wd.p50)
	res.Raw["rt_delivery_p95_ms"] = msf(dd.p95)
	res.Raw["rt_delivered"], res.Raw["rt_expected"], res.Raw["rt_foreign"] = float64(got), float64(expected), float64(foreign)
	if foreign > 0 {
		return fmt.Errorf("%d realtime events reached another point's subscriber", foreign)
	}
	return nil
}

type markedAt struct {
	point      int
	start, end time.Time
}

func countEvents(subs []*subscriber) int {
	n := 0
	for _, s := range subs {
		s.mu.Lock()
		n += len(s.events)
		s.mu.Unlock()
	}
	return n
}
