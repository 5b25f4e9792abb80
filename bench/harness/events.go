package harness

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// The event benchmark (issue 14): an event-triggered occasion's worklist
// at full scale, with eventsPerClient events a client over the past year.
const (
	eventsPerClient  = 2
	eventOccasionId  = "benchevtoccasio"
	eventOffsetDays  = 2
	eventWindowDays  = 14 // SPEC §4.9: a client is in the worklist for 14 days
	eventKindMeasure = "shipment"
)

// addEvents writes the events (a shipment and an installation a client,
// on days spread over the past year, at 12:00Z as days are stored) and a
// mandatory occasion "check acceptance 2 days after a shipment", with SQL
// in one transaction. It returns how many events it wrote; a second run
// on the same copy writes none.
func addEvents(dir string, r *rand.Rand) (int, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		return 0, err
	}
	defer app.ResetBootstrapState()
	if _, err := app.FindRecordById("occasions", eventOccasionId); err == nil {
		return 0, nil
	}
	var clients []string
	if err := app.DB().Select("id").From("clients").OrderBy("id").Column(&clients); err != nil {
		return 0, err
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	stamp := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	n := 0
	err := app.RunInTransaction(func(tx core.App) error {
		occasions, err := tx.FindCollectionByNameOrId("occasions")
		if err != nil {
			return err
		}
		o := core.NewRecord(occasions)
		o.Id = eventOccasionId
		o.Load(map[string]any{
			"title": "Check acceptance 2 days after shipment", "kind": "mandatory", "category": "notice",
			"repeat": "none", "trigger": "event", "event_kind": eventKindMeasure, "offset_days": eventOffsetDays,
			"template": "{{contact}}, the shipment of {{date}} should have arrived: is everything in order?",
		})
		if err := tx.SaveNoValidate(o); err != nil {
			return err
		}
		for i, client := range clients {
			for k := range eventsPerClient {
				kind := eventKindMeasure
				if k%2 == 1 {
					kind = "installation"
				}
				day := today.AddDate(0, 0, -r.IntN(365)).Add(12 * time.Hour)
				_, err := tx.DB().Insert("events", dbx.Params{
					"id": fmt.Sprintf("bev%06d%06d", i, k), "client": client, "kind": kind,
					"date": day.Format("2006-01-02 15:04:05.000Z"), "note": "", "source": "bench",
					"external_id": fmt.Sprintf("B-%d-%d", i, k), "occasion": "", "created": stamp, "updated": stamp,
				}).Execute()
				if err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// rawEventWorklistSQL is the floor of the event occasion's worklist page:
// the point's clients (lost ones left out) with a shipment whose window
// [date + offset, + 14 days) holds today, without a mark for that event,
// by folded name, one row per event.
const rawEventWorklistSQL = `SELECT c.id FROM events e JOIN clients c ON c.id = e.client
	WHERE c.point = ?1 AND c.stage != 'lost' AND e.kind = ?2 AND e.date >= ?3 AND e.date <= ?4
	AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.client = c.id AND t.occasion = ?5 AND t.period = 'E:' || e.id AND t.status IN ('done', 'skipped'))
	ORDER BY c.search, c.id, e.date, e.id LIMIT ?6`

// benchEventWorklist compares the event occasion's worklist (pending,
// perPage 50, skipTotal and counted, as point 0's manager) with the raw
// SQL, interleaved, and reports the service manager's too.
func benchEventWorklist(cfg Config, h *httpClient, fx *fixture, res *Results) error {
	db, err := sql.Open("sqlite", filepath.Join(cfg.WorkDir, "data.db")+pbPragmas)
	if err != nil {
		return err
	}
	defer db.Close()
	p := fx.points[0]
	path := "/api/touchbase/worklist?occasion=" + eventOccasionId + "&state=pending&perPage=50"
	pm, sm := p.managers[0].token, fx.smToken
	// the window in days at the point: an event dated D is in it while
	// D + offset <= today < D + offset + 14
	loc, err := time.LoadLocation(p.timezone)
	if err != nil {
		return err
	}
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, -(eventOffsetDays + eventWindowDays - 1)).Format("2006-01-02 15:04:05.000Z")
	last := today.AddDate(0, 0, -eventOffsetDays).Format("2006-01-02 15:04:05.000Z")

	api := func(token, extra string) func() ([]string, time.Duration, error) {
		return func() ([]string, time.Duration, error) {
			raw, d, err := h.get(path+extra, token)
			if err != nil {
				return nil, d, err
			}
			var body struct {
				Items []struct {
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
			return ids, d, nil
		}
	}
	raw := func() ([]string, time.Duration, error) {
		started := time.Now()
		rows, err := db.Query(rawEventWorklistSQL, p.id, eventKindMeasure, first, last, eventOccasionId, 50)
		if err != nil {
			return nil, 0, err
		}
		defer rows.Close()
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, 0, err
			}
			ids = append(ids, id)
		}
		return ids, time.Since(started), rows.Err()
	}
	runs := []func() ([]string, time.Duration, error){api(pm, "&skipTotal=1"), api(pm, ""), raw, api(sm, "&skipTotal=1&point="+p.id), api(sm, "&skipTotal=1")}
	var a, b []string
	for range 3 {
		if a, _, err = runs[0](); err != nil {
			return err
		}
		if b, _, err = raw(); err != nil {
			return err
		}
	}
	same := slices.Equal(a, b)
	res.add("14", fmt.Sprintf("event occasion worklist and raw SQL return the same clients (%d rows on the page)", len(a)), yesNo(same), "", "yes", same)
	if !same {
		logf(cfg.Log, "event worklist rows differ:\n api %v\n raw %v", a, b)
	}
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
	skip, counted, rd, smPoint, smAll := percentiles(lat[0]), percentiles(lat[1]), percentiles(lat[2]), percentiles(lat[3]), percentiles(lat[4])
	logf(cfg.Log, "event worklist: pm %s, pm counted %s, raw %s, sm one point %s, sm all %s", skip, counted, rd, smPoint, smAll)
	res.add("14", "event occasion: raw SQL of the page (point 0): "+rd.String(), ms(rd.p95)+" p95", "", "", true)
	res.add("14", "event occasion worklist, point manager, skipTotal=1: "+skip.String(), ms(skip.p95)+" p95",
		ratio(msf(skip.p95), msf(rd.p95))+" of the raw SQL (p95)", "", true)
	res.add("14", "event occasion worklist, point manager, with the counts: "+counted.String(), ms(counted.p95)+" p95",
		ratio(msf(counted.p95), msf(rd.p95))+" of the raw SQL (p95)", "", true)
	res.add("14", "event occasion worklist, service manager, one point, skipTotal=1: "+smPoint.String(), ms(smPoint.p95)+" p95", "", "", true)
	res.add("14", "event occasion worklist, service manager, every point, skipTotal=1: "+smAll.String(), ms(smAll.p95)+" p95", "", "", true)
	res.Raw["event_worklist_p95_ms"], res.Raw["event_worklist_raw_p95_ms"] = msf(skip.p95), msf(rd.p95)
	return nil
}
