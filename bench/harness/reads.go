package harness

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"touchbase/bench/dataset"
	"touchbase/days"
	"touchbase/domain"
)

// pbPragmas are the connection settings PocketBase uses for data.db
// (core.DefaultDBConnect), so the raw SQL runs on an equal footing.
const pbPragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)"

// rawWorklistSQL returns the rows of the worklist benchmark's page
// straight from SQLite: the point's clients (lost ones left out, as the
// worklist does) without a mark for the occasion's current period and
// without a hold that applies, sorted by the folded name, with their
// primary contact and account manager's name. It is the floor the worklist
// is compared with. A hold's until is a day that runs through that day at
// the point (days.ThroughFrom: ?4 is UTC midnight of the point's date).
const rawWorklistSQL = `SELECT c.id, c.name, c.point, c.segment, c.stage, COALESCE(pc.name, ''), c.since, COALESCE(pc.channel, ''),
	COALESCE(pc.telegram, ''), COALESCE(pc.whatsapp, ''), COALESCE(pc.phone, ''), COALESCE(pc.email, ''), COALESCE(c.tags, ''), c.manager, COALESCE(m.name, '')
FROM clients c
LEFT JOIN contacts pc ON pc.client = c.id AND pc."primary" = TRUE
LEFT JOIN users m ON m.id = c.manager
WHERE c.point = ?1 AND c.stage != 'lost'
	AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.client = c.id AND t.occasion = ?2 AND t.period = ?3)
	AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.client = c.id AND (h.until = '' OR h.until >= ?4)
		AND (h.occasion = '' OR h.occasion = ?2))
ORDER BY c.search, c.id
LIMIT ?5`

// rawCountsSQL counts the same audience by state (touch status, held,
// pending): the counts the worklist response carries with its page.
const rawCountsSQL = `SELECT (CASE WHEN t.id IS NOT NULL THEN t.status
		WHEN EXISTS (SELECT 1 FROM holds h WHERE h.client = c.id AND (h.until = '' OR h.until >= ?4)
			AND (h.occasion = '' OR h.occasion = ?2)) THEN 'held'
		ELSE 'pending' END) AS state, COUNT(*)
FROM clients c
LEFT JOIN touches t ON t.client = c.id AND t.occasion = ?2 AND t.period = ?3
WHERE c.point = ?1 AND c.stage != 'lost'
GROUP BY 1`

// holdFrom is the stored until from which a hold applies today at p.
func holdFrom(p *fixturePoint) string {
	loc, err := time.LoadLocation(p.timezone)
	if err != nil {
		loc = time.Local
	}
	return days.ThroughFrom(time.Now(), loc)
}

// rawCounts runs rawCountsSQL.
func rawCounts(db *sql.DB, p *fixturePoint) (map[string]int, error) {
	rows, err := db.Query(rawCountsSQL, p.id, dataset.WorklistOccasionId, "", holdFrom(p))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, err
		}
		counts[state] = n
	}
	return counts, rows.Err()
}

// rawWorklist runs rawWorklistSQL and returns the client ids in order.
func rawWorklist(db *sql.DB, p *fixturePoint, limit int) ([]string, error) {
	rows, err := db.Query(rawWorklistSQL, p.id, dataset.WorklistOccasionId, "", holdFrom(p), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var c [15]string
		ptrs := make([]any, len(c))
		for i := range c {
			ptrs[i] = &c[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		ids = append(ids, c[0])
	}
	return ids, rows.Err()
}

// benchWorklist compares the worklist page (pending, perPage 50, one
// occasion, one point, as that point's manager) with the raw SQL that
// returns the same rows, interleaved, and checks both return the same
// clients in the same order.
func benchWorklist(cfg Config, h *httpClient, fx *fixture, res *Results) error {
	db, err := sql.Open("sqlite", filepath.Join(cfg.WorkDir, "data.db")+pbPragmas)
	if err != nil {
		return err
	}
	defer db.Close()

	path, token := fx.worklistPath(), fx.worklistToken()
	p := fx.points[0]
	var apiCounts map[string]int
	apiIdsOf := func(path string) ([]string, time.Duration, error) {
		raw, d, err := h.get(path, token)
		if err != nil {
			return nil, d, err
		}
		var body struct {
			TotalItems int            `json:"totalItems"`
			Counts     map[string]int `json:"counts"`
			Items      []struct {
				Client struct {
					Id string `json:"id"`
				} `json:"client"`
			} `json:"items"`
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			return nil, d, err
		}
		ids := make([]string, len(body.Items))
		for i, it := range body.Items {
			ids[i] = it.Client.Id
		}
		if body.Counts != nil {
			apiCounts = body.Counts
		}
		return ids, d, nil
	}
	apiIds := func() ([]string, time.Duration, error) { return apiIdsOf(path) }
	apiSkip := func() ([]string, time.Duration, error) { return apiIdsOf(path + "&skipTotal=1") }
	rawIds := func() ([]string, time.Duration, error) {
		started := time.Now()
		ids, err := rawWorklist(db, p, 50)
		return ids, time.Since(started), err
	}
	rawWithCounts := func() ([]string, time.Duration, error) {
		started := time.Now()
		ids, err := rawWorklist(db, p, 50)
		if err == nil {
			_, err = rawCounts(db, p)
		}
		return ids, time.Since(started), err
	}

	// warm-up, and the same rows from both
	var a, b []string
	for range 5 {
		if a, _, err = apiIds(); err != nil {
			return err
		}
		if b, _, err = rawIds(); err != nil {
			return err
		}
	}
	same := slices.Equal(a, b)
	res.add("1", "worklist page and raw SQL return the same clients in the same order", yesNo(same), "", "yes", same)
	if !same {
		logf(cfg.Log, "worklist rows differ:\n api %v\n raw %v", a, b)
	}

	// and the same counts by state
	counts, err := rawCounts(db, p)
	if err != nil {
		return err
	}
	sameCounts := true
	for _, state := range []string{"pending", "done", "skipped", "held"} {
		sameCounts = sameCounts && apiCounts[state] == counts[state]
	}
	res.add("1", fmt.Sprintf("worklist counts and raw SQL counts agree (pending %d, done %d, skipped %d, held %d)",
		apiCounts["pending"], apiCounts["done"], apiCounts["skipped"], apiCounts["held"]), yesNo(sameCounts), "", "yes", sameCounts)
	if !sameCounts {
		logf(cfg.Log, "worklist counts differ: api %v, raw %v", apiCounts, counts)
	}

	if c, _, err := apiSkip(); err != nil || !slices.Equal(c, a) {
		return fmt.Errorf("the worklist with skipTotal=1 returns another page (%v)", err)
	}

	// the four, interleaved in rotating order
	runs := []func() ([]string, time.Duration, error){apiIds, rawIds, rawWithCounts, apiSkip}
	lat := make([][]time.Duration, len(runs))
	for i := range cfg.Scale.Reads {
		for k := range runs {
			j := (i + k) % len(runs)
			_, d, err := runs[j]()
			if err != nil {
				return err
			}
			lat[j] = append(lat[j], d)
		}
	}
	ad, rd, cd, sd := percentiles(lat[0]), percentiles(lat[1]), percentiles(lat[2]), percentiles(lat[3])
	logf(cfg.Log, "worklist %s; with skipTotal=1 %s; raw SQL %s; raw SQL with the counts %s", ad, sd, rd, cd)
	res.add("1", fmt.Sprintf("raw SQL of the same page (%d clients in the point, in-process, same driver and pragmas): %s", p.clientN, rd), ms(rd.p50)+" p50", "", "", true)
	res.add("1", "raw SQL of the page and of the per-state counts (pending, done, skipped, held): "+cd.String(), ms(cd.p50)+" p50", "", "", true)
	res.add("1", "worklist page without the counts (skipTotal=1) as the point's manager (HTTP, pending, perPage 50): "+sd.String(), ms(sd.p50)+" p50",
		ratio(msf(sd.p50), msf(rd.p50))+" of the page SQL (p95 "+ratio(msf(sd.p95), msf(rd.p95))+")", "≤ 1.5×", msf(sd.p50) <= 1.5*msf(rd.p50))
	res.add("1", "worklist page without the counts, p95", ms(sd.p95), "", "≤ 25 ms", sd.p95 <= 25*time.Millisecond)
	res.add("1", "worklist page with the counts (the default): "+ad.String(), ms(ad.p50)+" p50",
		ratio(msf(ad.p50), msf(cd.p50))+" of page + counts SQL (p95 "+ratio(msf(ad.p95), msf(cd.p95))+"); "+
			ratio(msf(ad.p50), msf(rd.p50))+" of the page SQL alone", "≤ 1.5×", msf(ad.p50) <= 1.5*msf(cd.p50))
	res.add("1", "worklist page with the counts, p95", ms(ad.p95), "", "≤ 25 ms", ad.p95 <= 25*time.Millisecond)
	res.Raw["worklist_p50_ms"], res.Raw["worklist_p95_ms"] = msf(ad.p50), msf(ad.p95)
	res.Raw["worklist_skiptotal_p50_ms"], res.Raw["worklist_skiptotal_p95_ms"] = msf(sd.p50), msf(sd.p95)
	res.Raw["worklist_raw_p50_ms"], res.Raw["worklist_raw_p95_ms"] = msf(rd.p50), msf(rd.p95)
	res.Raw["worklist_raw_counts_p50_ms"] = msf(cd.p50)
	if !same {
		return fmt.Errorf("the worklist and the raw SQL disagree on the page's clients")
	}
	return nil
}

// readBudget bounds the time of one read benchmark.
const readBudget = 20 * time.Second

// benchReads measures the other routes at this scale, as a point manager
// (one point) and as a service manager (every point).
func benchReads(cfg Config, h *httpClient, fx *fixture, res *Results) error {
	pm, sm := fx.points[0].managers[0].token, fx.smToken
	occ := url.Values{"occasion": {dataset.WorklistOccasionId}}.Encode()
	search := url.Values{"occasion": {dataset.WorklistOccasionId}, "state": {"all"}, "q": {"ооо"}, "perPage": {"50"}}.Encode()
	reads := []struct{ name, path, token string }{
		{"due, point manager (one point)", "/api/touchbase/due", pm},
		{"due, service manager (all points)", "/api/touchbase/due", sm},
		{"plan (default half year), point manager", "/api/touchbase/plan", pm},
		{"plan (default half year), service manager", "/api/touchbase/plan", sm},
		{"stats of one occasion, point manager", "/api/touchbase/stats?" + occ, pm},
		{"stats of one occasion, service manager (20 points)", "/api/touchbase/stats?" + occ, sm},
		{"timeline of the point's longest client card", "/api/touchbase/clients/" + fx.timelineClient + "/timeline", pm},
		{"worklist, service manager (all points, pending, perPage 50)", fx.worklistPath(), sm},
		{"worklist without the counts (skipTotal=1), service manager (all points)", fx.worklistPath() + "&skipTotal=1", sm},
		{"worklist search q=ооо (Cyrillic, state=all), point manager", "/api/touchbase/worklist?" + search, pm},
	}
	for _, r := range reads {
		// Reads requests after a warm-up of 3, or fewer (at least 10) when
		// they take longer than readBudget together
		var ds []time.Duration
		var failure error
		started := time.Now()
		for i := range cfg.Scale.Reads + 3 {
			_, d, err := h.get(r.path, r.token)
			if err != nil {
				failure = err
				break
			}
			if i >= 3 {
				ds = append(ds, d)
			}
			if len(ds) >= 10 && time.Since(started) > readBudget {
				break
			}
		}
		if failure != nil {
			logf(cfg.Log, "%s: %v", r.name, failure)
			res.add("4", r.name, "failed: "+truncate(failure.Error(), 120), "", "", false)
			continue
		}
		d := percentiles(ds)
		logf(cfg.Log, "%s: %s", r.name, d)
		res.add("4", r.name+": "+d.String(), ms(d.p50)+" / "+ms(d.p95), "", "", true)
		res.Raw["read_"+key(r.name)+"_p95_ms"] = msf(d.p95)
	}
	return benchClients(cfg, h, fx, res)
}

func key(name string) string {
	f := strings.Fields(strings.ToLower(name))
	return strings.Trim(strings.Join(f[:min(3, len(f))], "_"), ",")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// rawClientsCountSQL and rawClientsPageSQL are the Clients view's floor:
// the count and the page of GET /api/touchbase/clients (api/clients.go)
// with q= searched in clients.search; %s is the point condition ("1" for
// a service manager's every point).
const (
	rawClientsCountSQL = `SELECT COUNT(*) FROM clients c WHERE %s AND %s`
	rawClientsPageSQL  = `SELECT c.id, c.name, c.point, COALESCE(p.name, ''), c.segment, c.stage, COALESCE(c.tags, ''), c.manager, COALESCE(m.name, '')
FROM clients c
LEFT JOIN points p ON p.id = c.point
LEFT JOIN users m ON m.id = c.manager
WHERE %s AND %s
ORDER BY c.search, c.id
LIMIT ?3`
)

// rawClients runs the Clients view's floor for point ("" = every point)
// and the folded search q, and returns the total and the page's ids.
func rawClients(db *sql.DB, point, q string, limit int) (int, []string, error) {
	cond := "?1 = ''" // every point: no condition on the point, as the route
	if point != "" {
		cond = "c.point = ?1"
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(domain.NormalizeSearch(q)) + "%"
	search := `c.search LIKE ?2 ESCAPE '\'`
	if q == "" {
		search = "?2 = '%%'" // no search, as the route
	}
	var total int
	if err := db.QueryRow(fmt.Sprintf(rawClientsCountSQL, cond, search), point, like).Scan(&total); err != nil {
		return 0, nil, err
	}
	rows, err := db.Query(fmt.Sprintf(rawClientsPageSQL, cond, search), point, like, limit)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var c [9]string
		ptrs := make([]any, len(c))
		for i := range c {
			ptrs[i] = &c[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, nil, err
		}
		ids = append(ids, c[0])
	}
	return total, ids, rows.Err()
}

// clientsBudget bounds the time of one Clients view benchmark.
const clientsBudget = 30 * time.Second

// benchClients measures the Clients view (GET /api/touchbase/clients,
// perPage 50) searching a contact's name fragment, as a point manager (one
// point) and a service manager (every point), interleaved with its raw SQL
// (the count and the page), and checks both find the same clients.
func benchClients(cfg Config, h *httpClient, fx *fixture, res *Results) error {
	db, err := sql.Open("sqlite", filepath.Join(cfg.WorkDir, "data.db")+pbPragmas)
	if err != nil {
		return err
	}
	defer db.Close()

	// a Cyrillic point (the worklist's when it is one) and a UK one
	ru, uk := fx.points[0], (*fixturePoint)(nil)
	for _, p := range slices.Backward(fx.points) {
		if p.country == "RU" && fx.points[0].country != "RU" {
			ru = p
		}
		if p.country == "GB" {
			uk = p
		}
	}
	if uk == nil {
		uk = fx.points[len(fx.points)-1]
	}
	type clientsCase struct {
		key, name, q, point, token string
	}
	cases := []clientsCase{
		{"clients_cyrillic_pm", "Clients search q=иван (Cyrillic contact name), point manager (one point)", "иван", ru.id, ru.managers[0].token},
		{"clients_cyrillic_sm", "Clients search q=иван, service manager (all points)", "иван", "", fx.smToken},
		{"clients_latin_pm", "Clients search q=smith (Latin contact name), point manager of a UK point", "smith", uk.id, uk.managers[0].token},
		{"clients_latin_sm", "Clients search q=smith, service manager (all points)", "smith", "", fx.smToken},
		{"clients_list_pm", "Clients list without q (first page by name), point manager", "", ru.id, ru.managers[0].token},
		{"clients_list_sm", "Clients list without q (first page by name), service manager", "", "", fx.smToken},
	}
	n := 3 * cfg.Scale.Reads // a few hundred at full scale
	for _, c := range cases {
		path := "/api/touchbase/clients?" + url.Values{"q": {c.q}, "perPage": {"50"}}.Encode()
		api := func() (int, []string, time.Duration, error) {
			raw, d, err := h.get(path, c.token)
			if err != nil {
				return 0, nil, d, err
			}
			var body struct {
				TotalItems int `json:"totalItems"`
				Items      []struct {
					Id string `json:"id"`
				} `json:"items"`
			}
			if err := json.Unmarshal(raw, &body); err != nil {
				return 0, nil, d, err
			}
			ids := make([]string, len(body.Items))
			for i, it := range body.Items {
				ids[i] = it.Id
			}
			return body.TotalItems, ids, d, nil
		}
		rawRun := func() (int, []string, time.Duration, error) {
			started := time.Now()
			total, ids, err := rawClients(db, c.point, c.q, 50)
			return total, ids, time.Since(started), err
		}

		// warm-up, and the same clients from both
		var at, rt int
		var a, b []string
		for range 3 {
			if at, a, _, err = api(); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if rt, b, _, err = rawRun(); err != nil {
				return fmt.Errorf("%s: raw SQL: %w", c.name, err)
			}
		}
		same := at == rt && slices.Equal(a, b)
		if !same {
			logf(cfg.Log, "%s: the route and the raw SQL differ: %d %v / %d %v", c.name, at, a, rt, b)
		}

		var ad, rd []time.Duration
		started := time.Now()
		for i := range n {
			runs := []func() (int, []string, time.Duration, error){api, rawRun}
			if i%2 == 1 {
				runs[0], runs[1] = runs[1], runs[0]
			}
			for k, run := range runs {
				_, _, d, err := run()
				if err != nil {
					return fmt.Errorf("%s: %w", c.name, err)
				}
				if (k == 0) == (i%2 == 0) {
					ad = append(ad, d)
				} else {
					rd = append(rd, d)
				}
			}
			if len(ad) >= 10 && time.Since(started) > clientsBudget {
				break
			}
		}
		adist, rdist := percentiles(ad), percentiles(rd)
		logf(cfg.Log, "%s: %d found; route %s; raw SQL %s", c.name, at, adist, rdist)
		res.add("4", fmt.Sprintf("%s: %d clients found; route %s; raw SQL (count + page) %s; same clients as the raw SQL: %s",
			c.name, at, adist, rdist, yesNo(same)), ms(adist.p50)+" / "+ms(adist.p95),
			ratio(msf(adist.p50), msf(rdist.p50))+" of its SQL (p95 "+ratio(msf(adist.p95), msf(rdist.p95))+")", "same rows", same)
		k := c.key
		res.Raw[k+"_p50_ms"], res.Raw[k+"_p95_ms"] = msf(adist.p50), msf(adist.p95)
		res.Raw[k+"_raw_p50_ms"], res.Raw[k+"_raw_p95_ms"] = msf(rdist.p50), msf(rdist.p95)
		res.Raw[k+"_found"] = float64(at)
	}
	return nil
}
