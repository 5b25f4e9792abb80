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
// one topic with their own auth.
type subscriber struct {
	point int
	topic string

	mu     sync.Mutex
	events []received
}

type received struct {
	client string
	at     time.Time
}

// connect opens the SSE stream, waits for PB_CONNECT, subscribes with the
// token and then records every create event of s.topic until ctx ends.
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
			if name != s.topic {
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

// The subscriptions the realtime benchmark opens: what the shipped clients
// subscribe to.
const (
	// PageTopic is the manager page's subscription: Touchbase's topic that
	// delivers the touches of the clients the subscriber may see.
	PageTopic = "touchbase/touches"
	// OptionsTopic is the standard subscription with options, as the JS SDK
	// names it for pb.collection('touches').subscribe('*', fn, {expand:
	// 'author'}): options={"query":{"expand":"author"}}, URI-encoded.
	OptionsTopic = "touches/*?options=%7B%22query%22%3A%7B%22expand%22%3A%22author%22%7D%7D"
)

// The server's bounds on one user's subscriptions, which the benchmark
// stays within (the server answers 4xx beyond them): live connections per
// user, and standard subscriptions to one collection per user over all
// their connections.
const (
	MaxConnectionsPerUser    = 4
	MaxStandardPerCollection = 1
)

// rtScenario is one set of subscribers of the realtime benchmark.
type rtScenario struct {
	key     string // prefix of the raw figures
	name    string
	topic   string
	perUser int // connections one point manager may hold subscribed to topic
}

var rtScenarios = []rtScenario{
	{"rt_page", "open pages (" + PageTopic + ")", PageTopic, MaxConnectionsPerUser},
	{"rt_opts", `touches/*?options={"query":{"expand":"author"}}`, OptionsTopic, MaxStandardPerCollection},
}

// rtRun is what one sequence of marks measured.
type rtRun struct {
	lat     []time.Duration
	clients []string      // the marked clients, in order
	cpu     time.Duration // server CPU from the first mark until the deliveries arrived
}

// benchRealtime measures a mark with no realtime subscriber and with
// Subscribers subscribers of each scenario (point managers, spread evenly
// over the points and their managers, each with their own token, within
// the server's bounds per user): the mark latency and its
// ratio to the mark without subscribers, the server CPU per mark, the
// delivery delay to the same point's subscribers (from the mark's
// response; 0 for an event that arrived before the response) and that the subscribers of the other points receive nothing.
// The marks without subscribers are taken before, between and after the
// scenarios, so that a drift of the machine weighs on all of them.
func benchRealtime(cfg Config, h *httpClient, fx *fixture, res *Results) error {
	sc := cfg.Scale
	np := len(fx.points)
	perPoint := (sc.Subscribers + np - 1) / np
	for _, scn := range rtScenarios {
		for _, p := range fx.points {
			if need := (perPoint + scn.perUser - 1) / scn.perUser; len(p.managers) < need {
				return fmt.Errorf("point %s has %d point managers; %d subscribers per point to %s need at least %d (at most %d connections each): generate with more managers per point (bench/gen -managers)",
					p.name, len(p.managers), perPoint, scn.topic, need, scn.perUser)
			}
		}
	}

	n := 0
	marked := map[string]markedAt{} // every client marked in this benchmark
	markSeq := func(count int) (rtRun, error) {
		var run rtRun
		cpu := fx.serverCPU()
		for range count {
			pi := n % np
			m, err := fx.nextMark(pi, n/np)
			if err != nil {
				return run, err
			}
			n++
			started := time.Now()
			d, err := h.send(m)
			if err != nil {
				return run, err
			}
			run.lat = append(run.lat, d)
			run.clients = append(run.clients, m.client)
			marked[m.client] = markedAt{point: pi, start: started, end: started.Add(d)}
		}
		run.cpu = fx.serverCPU() - cpu
		return run, nil
	}

	var baseRuns []rtRun
	baseline := func(count int) error {
		run, err := markSeq(count)
		baseRuns = append(baseRuns, run)
		return err
	}
	parts := len(rtScenarios) + 1 // the marks without subscribers: before, between, after
	baseN := max(sc.RealtimeMarks/parts, 1)

	type outcome struct {
		rtScenario
		subs                   int
		run                    rtRun
		delays                 []time.Duration
		got, expected, foreign int
		early                  int // events that arrived before the mark's response
	}
	var outcomes []outcome
	if err := baseline(baseN); err != nil {
		return err
	}
	for i, scn := range rtScenarios {
		subs, stop, err := connectSubscribers(cfg, h, fx, scn.topic, sc.Subscribers)
		if err != nil {
			return fmt.Errorf("%s: %w", scn.name, err)
		}
		time.Sleep(200 * time.Millisecond)

		subsOf := make([]int, np)
		for _, s := range subs {
			subsOf[s.point]++
		}
		var expected int
		run, err := markSeq(sc.RealtimeMarks)
		if err != nil {
			stop()
			return err
		}
		for _, c := range run.clients {
			expected += subsOf[marked[c].point]
		}
		// wait for the deliveries (they count towards the marks' CPU)
		cpu := fx.serverCPU()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && countEvents(subs) < expected {
			time.Sleep(20 * time.Millisecond)
		}
		run.cpu += fx.serverCPU() - cpu
		time.Sleep(300 * time.Millisecond) // anything misdirected would arrive by now
		stop()

		o := outcome{rtScenario: scn, subs: len(subs), run: run, expected: expected}
		mine := map[string]bool{}
		for _, c := range run.clients {
			mine[c] = true
		}
		for _, s := range subs {
			s.mu.Lock()
			for _, ev := range s.events {
				m, ok := marked[ev.client]
				if !ok || m.point != s.point {
					o.foreign++
					continue
				}
				if !mine[ev.client] {
					continue // a late event of an earlier sequence: not this scenario's
				}
				o.got++
				if ev.at.Before(m.end) {
					o.early++
				}
				o.delays = append(o.delays, max(ev.at.Sub(m.end), 0))
			}
			s.mu.Unlock()
		}
		outcomes = append(outcomes, o)
		time.Sleep(500 * time.Millisecond) // let the server drop the connections

		count := baseN
		if i == len(rtScenarios)-1 {
			count = max(sc.RealtimeMarks-baseN*(parts-1), 1)
		}
		if err := baseline(count); err != nil {
			return err
		}
	}

	var baseLat []time.Duration
	var baseCPU time.Duration
	for _, r := range baseRuns {
		baseLat = append(baseLat, r.lat...)
		baseCPU += r.cpu
	}
	base := percentiles(baseLat)
	perMark := func(d time.Duration, n int) float64 { return msf(d) / float64(max(n, 1)) }
	baseCPUPerMark := perMark(baseCPU, len(baseLat))
	logf(cfg.Log, "mark without subscribers %s, server CPU %.2f ms per mark", base, baseCPUPerMark)
	res.add("3", "mark, no realtime subscriber: "+base.String(), ms(base.p50), "", "", true)
	res.add("3", "server CPU per mark (user + system), no subscriber", fmt.Sprintf("%.2f ms", baseCPUPerMark), "", "", true)
	res.Raw["rt_base_p50_ms"], res.Raw["rt_base_p95_ms"] = msf(base.p50), msf(base.p95)
	res.Raw["rt_base_cpu_ms"] = baseCPUPerMark

	var foreign int
	for _, o := range outcomes {
		wd, dd := percentiles(o.run.lat), percentiles(o.delays)
		cpu := perMark(o.run.cpu, len(o.run.lat))
		logf(cfg.Log, "%d subscribers to %s: mark %s, server CPU %.2f ms per mark; delivery after the response %s (%d before it); %d/%d delivered, %d to other points",
			o.subs, o.topic, wd, cpu, dd, o.early, o.got, o.expected, o.foreign)
		what := fmt.Sprintf("%d %s over %d points, own auth each", o.subs, o.name, np)
		res.add("3", "mark with "+what+": "+wd.String(), ms(wd.p50),
			ratio(msf(wd.p50), msf(base.p50))+" (p95 "+ratio(msf(wd.p95), msf(base.p95))+")", "≤ 3×", msf(wd.p50) <= 3*msf(base.p50))
		res.add("3", "server CPU per mark (user + system, until delivered), "+o.name, fmt.Sprintf("%.2f ms", cpu), ratio(cpu, baseCPUPerMark), "", true)
		early := fmt.Sprintf("; %d of %d arrived before the response (counted as 0)", o.early, o.got)
		res.add("3", "delivery delay to the same point's subscribers (from the mark's response), "+o.name+": "+dd.String()+early,
			ms(dd.p95)+" p95", "", "p95 ≤ 200 ms", dd.n > 0 && dd.p95 <= 200*time.Millisecond)
		res.add("3", "events delivered to the marked client's point, "+o.name, fmt.Sprintf("%d of %d", o.got, o.expected), "", "all", o.got == o.expected)
		res.add("3", "events delivered to other points' subscribers, "+o.name, fmt.Sprint(o.foreign), "", "0", o.foreign == 0)
		res.Raw[o.key+"_p50_ms"], res.Raw[o.key+"_p95_ms"] = msf(wd.p50), msf(wd.p95)
		res.Raw[o.key+"_cpu_ms"] = cpu
		res.Raw[o.key+"_delivery_p95_ms"] = msf(dd.p95)
		res.Raw[o.key+"_delivered"], res.Raw[o.key+"_expected"], res.Raw[o.key+"_foreign"] = float64(o.got), float64(o.expected), float64(o.foreign)
		foreign += o.foreign
	}
	if foreign > 0 {
		return fmt.Errorf("%d realtime events reached another point's subscriber", foreign)
	}
	return nil
}

// connectSubscribers opens count realtime connections subscribed to topic,
// spread evenly over the points and, within a point, over its managers
// (benchRealtime checks that there are enough); stop closes them.
func connectSubscribers(cfg Config, h *httpClient, fx *fixture, topic string, count int) ([]*subscriber, func(), error) {
	np := len(fx.points)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 0}}
	ctx, cancel := context.WithCancel(context.Background())
	subs := make([]*subscriber, count)
	started := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var connectErr error
	sem := make(chan struct{}, 32)
	for i := range subs {
		pi := i % np
		p := fx.points[pi]
		token := p.managers[(i/np)%len(p.managers)].token
		subs[i] = &subscriber{point: pi, topic: topic}
		wg.Add(1)
		sem <- struct{}{}
		go func(s *subscriber) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := s.connect(ctx, client, h.base, token, []string{topic}); err != nil {
				mu.Lock()
				connectErr = err
				mu.Unlock()
			}
		}(subs[i])
	}
	wg.Wait()
	stop := func() {
		cancel()
		client.CloseIdleConnections()
	}
	if connectErr != nil {
		stop()
		return nil, nil, fmt.Errorf("connecting subscribers: %w", connectErr)
	}
	logf(cfg.Log, "%d subscribers to %s connected in %s", len(subs), topic, time.Since(started).Round(time.Millisecond))
	return subs, stop, nil
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
