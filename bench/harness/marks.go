package harness

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"touchbase/bench/dataset"
)

// markRequest is one request of the mark benchmark.
type markRequest struct {
	path, token string
	body        []byte
	client      string
	point       int
}

// nextMark makes the request that marks a fresh client of point pi as its
// n-th manager: a touch of the mark occasion with a comment, through the
// API (the hooks write the card comment in the same transaction).
func (fx *fixture) nextMark(pi, n int) (markRequest, error) {
	p := fx.points[pi]
	client, err := p.takeClient()
	if err != nil {
		return markRequest{}, err
	}
	body, _ := json.Marshal(map[string]any{
		"client": client, "occasion": dataset.MarkOccasionId, "status": "done", "channel": "phone",
		"comment": "Позвонил, договорились о визите инженера / called, engineer visit booked",
	})
	m := p.managers[n%len(p.managers)]
	return markRequest{path: "/api/collections/touches/records", token: m.token, body: body, client: client, point: pi}, nil
}

// nextPlain makes the baseline request: a record of the same shape in
// PlainCollection, by the same kind of user, without any hook.
func (fx *fixture) nextPlain(pi, n int) markRequest {
	p := fx.points[pi]
	m := p.managers[n%len(p.managers)]
	client := p.clients[(n*7919)%len(p.clients)]
	body, _ := json.Marshal(map[string]any{
		"client": client, "occasion": dataset.MarkOccasionId, "status": "done", "channel": "phone",
		"comment": "Позвонил, договорились о визите инженера / called, engineer visit booked", "author": m.id,
		"period": fmt.Sprint(n), // unique with the client and occasion, as the index wants
	})
	return markRequest{path: "/api/collections/" + PlainCollection + "/records", token: m.token, body: body, client: client, point: pi}
}

// send posts r and insists on a 200.
func (h *httpClient) send(r markRequest) (time.Duration, error) {
	status, raw, d, err := h.do(http.MethodPost, r.path, r.token, r.body)
	if err != nil {
		return d, err
	}
	if status != http.StatusOK {
		return d, fmt.Errorf("POST %s: %d %s", r.path, status, truncate(string(raw), 300))
	}
	return d, nil
}

// benchMarks compares a mark with a plain create, sequentially and with
// Workers concurrent clients. The two kinds alternate in short blocks, so
// that the load other processes put on the machine falls on both alike;
// the ratio is the median over the block pairs, the throughputs are the
// totals, and the server's CPU time per request is measured per kind.
func benchMarks(cfg Config, h *httpClient, fx *fixture, res *Results) error {
	sc := cfg.Scale
	np := len(fx.points)
	n := 0
	next := func(kind int) (markRequest, error) {
		n++
		if kind == plainKind {
			return fx.nextPlain(n%np, n), nil
		}
		return fx.nextMark(n%np, n)
	}

	// warm-up
	for range 5 {
		for _, kind := range []int{markKind, plainKind} {
			r, err := next(kind)
			if err != nil {
				return err
			}
			if _, err := h.send(r); err != nil {
				return err
			}
		}
	}

	// sequential: blocks of 10 of each kind
	const block = 10
	var lat [2][]time.Duration
	var cpu [2]time.Duration
	var shares []float64
	for b := range max(1, sc.MarkPairs/block) {
		var took [2]time.Duration
		order := []int{markKind, plainKind}
		if b%2 == 1 {
			order = []int{plainKind, markKind}
		}
		for _, kind := range order {
			before := fx.serverCPU()
			for range block {
				r, err := next(kind)
				if err != nil {
					return err
				}
				d, err := h.send(r)
				if err != nil {
					return err
				}
				lat[kind] = append(lat[kind], d)
				took[kind] += d
			}
			cpu[kind] += fx.serverCPU() - before
		}
		shares = append(shares, took[plainKind].Seconds()/took[markKind].Seconds())
	}
	md, pd := percentiles(lat[markKind]), percentiles(lat[plainKind])
	mt, pt := perSecond(md.n, md.sum), perSecond(pd.n, pd.sum)
	share := median(shares)
	cpuPer := func(kind int) float64 { return msf(cpu[kind]) / float64(max(1, len(lat[kind]))) }
	logf(cfg.Log, "sequential: mark %s; plain %s; median block share %.0f %%", md, pd, 100*share)
	res.add("2", "plain create (no hooks), sequential: "+pd.String(), fmt.Sprintf("%.0f/s", pt), "", "", true)
	res.add("2", "mark (touch + comment, one transaction), sequential: "+md.String(), fmt.Sprintf("%.0f/s", mt),
		fmt.Sprintf("%.0f %% of plain (median of %d block pairs; totals %.0f %%)", 100*share, len(shares), 100*mt/pt),
		"≥ 60 % of plain", share >= 0.6)
	res.add("2", "server CPU per request (user + system): plain → mark", fmt.Sprintf("%.2f → %.2f ms", cpuPer(plainKind), cpuPer(markKind)),
		ratio(cpuPer(markKind), cpuPer(plainKind)), "", true)
	res.Raw["mark_seq_per_s"], res.Raw["plain_seq_per_s"], res.Raw["mark_seq_share"] = mt, pt, share

	// concurrent: phases plain, mark, plain, mark, …
	phases := 8
	perWorker := max(1, sc.MarkPerWorker*2/phases*2)
	var conc [2]struct {
		n    int
		wall time.Duration
		lat  []time.Duration
	}
	var concShares []float64
	var lastPlain float64
	for phase := range phases {
		kind := plainKind
		if phase%2 == 1 {
			kind = markKind
		}
		reqs := make([][]markRequest, sc.Workers)
		for w := range sc.Workers {
			for range perWorker {
				r, err := next(kind)
				if err != nil {
					return err
				}
				reqs[w] = append(reqs[w], r)
			}
		}
		wall, l, err := runConcurrent(h, reqs)
		if err != nil {
			return err
		}
		conc[kind].n += len(l)
		conc[kind].wall += wall
		conc[kind].lat = append(conc[kind].lat, l...)
		rate := perSecond(len(l), wall)
		if kind == plainKind {
			lastPlain = rate
		} else {
			concShares = append(concShares, rate/lastPlain)
		}
	}
	pc, mc := conc[plainKind], conc[markKind]
	pct, mct := perSecond(pc.n, pc.wall), perSecond(mc.n, mc.wall)
	pcd, mcd := percentiles(pc.lat), percentiles(mc.lat)
	cshare := median(concShares)
	logf(cfg.Log, "%d concurrent: mark %.0f/s %s; plain %.0f/s %s; median phase share %.0f %%", sc.Workers, mct, mcd, pct, pcd, 100*cshare)
	res.add("2", fmt.Sprintf("plain create, %d concurrent: %s", sc.Workers, pcd), fmt.Sprintf("%.0f/s", pct), "", "", true)
	res.add("2", fmt.Sprintf("mark, %d concurrent: %s", sc.Workers, mcd), fmt.Sprintf("%.0f/s", mct),
		fmt.Sprintf("%.0f %% of plain (median of %d phase pairs; totals %.0f %%)", 100*cshare, len(concShares), 100*mct/pct),
		"≥ 60 % of plain", cshare >= 0.6)
	res.Raw["mark_conc_per_s"], res.Raw["plain_conc_per_s"], res.Raw["mark_conc_share"] = mct, pct, cshare
	return nil
}

const (
	markKind  = 0
	plainKind = 1
)

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// runConcurrent sends each worker's requests in order, all workers at
// once, and returns the wall time and every latency.
func runConcurrent(h *httpClient, reqs [][]markRequest) (time.Duration, []time.Duration, error) {
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, list := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for _, r := range list {
				d, err := h.send(r)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	started := time.Now()
	close(start)
	wg.Wait()
	return time.Since(started), lat, firstErr
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
