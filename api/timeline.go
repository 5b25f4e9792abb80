package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/list"

	"touchbase/access"
	"touchbase/days"
	"touchbase/domain"
)

// Size of the client card's history.
const (
	timelineDefaultLimit = 200
	timelineMaxLimit     = 1000
)

// timelineEntry is one item of the card with what orders it: newest first
// by at; moments that tie (a touch and its comment, a ticket and its hold
// are written in the same millisecond) are ordered by when each row was
// written, the later first.
type timelineEntry struct {
	at   string
	rank int   // creation order among rows written together: touch/ticket 0, hold 1, comment 2
	seq  int64 // the row's rowid, insertion order within one table
	item any
}

type timelineTouch struct {
	Type          string `json:"type"`
	At            string `json:"at"`
	Id            string `json:"id"`
	Occasion      string `json:"occasion"`
	OccasionTitle string `json:"occasionTitle"`
	Period        string `json:"period"`
	Status        string `json:"status"` // done | skipped | withdrawn (an undone mark, kept as history)
	Channel       string `json:"channel"`
	Comment       string `json:"comment"`
	Outcome       string `json:"outcome"`
	FollowUp      string `json:"follow_up"`
	Author        string `json:"author"`
	AuthorName    string `json:"authorName"`
	Updated       string `json:"updated"`
}

type timelineComment struct {
	Type       string `json:"type"`
	At         string `json:"at"`
	Id         string `json:"id"`
	Text       string `json:"text"`
	Kind       string `json:"kind"`
	Touch      string `json:"touch"`
	Author     string `json:"author"`
	AuthorName string `json:"authorName"`
}

type timelineTicket struct {
	Type       string `json:"type"`
	At         string `json:"at"`
	Id         string `json:"id"`
	Event      string `json:"event"` // "opened" (at = created) | "resolved" (at = resolved_at)
	Title      string `json:"title"`
	Status     string `json:"status"`
	Created    string `json:"created"`
	ResolvedAt string `json:"resolved_at"`
}

type timelineHold struct {
	Type          string `json:"type"`
	At            string `json:"at"`
	Id            string `json:"id"`
	Reason        string `json:"reason"`
	Note          string `json:"note"`
	Until         string `json:"until"`
	Ticket        string `json:"ticket"`
	Touch         string `json:"touch"` // the touch whose outcome set it
	Occasion      string `json:"occasion"`
	OccasionTitle string `json:"occasionTitle"`
	Active        bool   `json:"active"` // applies now: until is empty or today or later at the point
}

// timelineEvent is something that happened at the client (SPEC §3
// events: a shipment, an installation), placed on its date.
type timelineEvent struct {
	Type          string `json:"type"`
	At            string `json:"at"`
	Id            string `json:"id"`
	Kind          string `json:"kind"`
	Date          string `json:"date"`
	Note          string `json:"note"`
	Source        string `json:"source"`
	Occasion      string `json:"occasion"`
	OccasionTitle string `json:"occasionTitle"`
}

// Rows as read from the database; Seq is the rowid.
type (
	timelineEventRow struct {
		Seq      int64  `db:"seq"`
		Id       string `db:"id"`
		Kind     string `db:"kind"`
		Date     string `db:"date"`
		Note     string `db:"note"`
		Source   string `db:"source"`
		Occasion string `db:"occasion"`
	}
	timelineTouchRow struct {
		Seq      int64  `db:"seq"`
		Id       string `db:"id"`
		Occasion string `db:"occasion"`
		Period   string `db:"period"`
		Status   string `db:"status"`
		Channel  string `db:"channel"`
		Comment  string `db:"comment"`
		Outcome  string `db:"outcome"`
		FollowUp string `db:"follow_up"`
		Author   string `db:"author"`
		Created  string `db:"created"`
		Updated  string `db:"updated"`
	}
	timelineCommentRow struct {
		Seq     int64  `db:"seq"`
		Id      string `db:"id"`
		Text    string `db:"text"`
		Kind    string `db:"kind"`
		Touch   string `db:"touch"`
		Author  string `db:"author"`
		Created string `db:"created"`
	}
	timelineTicketRow struct {
		Seq        int64  `db:"seq"`
		Id         string `db:"id"`
		Title      string `db:"title"`
		Status     string `db:"status"`
		ResolvedAt string `db:"resolved_at"`
		Created    string `db:"created"`
	}
	timelineHoldRow struct {
		Seq      int64  `db:"seq"`
		Id       string `db:"id"`
		Reason   string `db:"reason"`
		Note     string `db:"note"`
		Until    string `db:"until"`
		Ticket   string `db:"ticket"`
		Touch    string `db:"touch"`
		Occasion string `db:"occasion"`
		Created  string `db:"created"`
	}
	timelineUser struct {
		Id    string `db:"id"`
		Name  string `db:"name"`
		Role  string `db:"role"`
		Point string `db:"point"`
	}
	timelineOccasion struct {
		Id     string `db:"id"`
		Title  string `db:"title"`
		Points string `db:"points"`
	}
)

// timeline serves GET /api/touchbase/clients/{id}/timeline (SPEC §6, the
// client card): the client with its point's and manager's names, and its
// touches, comments, tickets (opened and, once resolved, resolved),
// holds and events (on their date) in one list, newest first, at most ?limit= items (default 200,
// at most 1000). A client that does not exist and a client outside the
// caller's scope give the same 404, so ids of other points' clients cannot
// be probed.
//
// It reads one query per kind of item, then the authors and the occasions
// the items name in one query each: never a query per item.
func timeline(e *core.RequestEvent) error {
	scope := scopeOf(e)
	limit, err := timelineLimit(e)
	if err != nil {
		return err
	}

	client, err := e.App.FindRecordById("clients", e.Request.PathValue("id"))
	if err != nil || !scope.Allows(client.GetString("point")) {
		return domain.ErrorT(http.StatusNotFound, "api.not_found")
	}

	entries, hasMore, err := timelineEntries(e.App, scope, client.Id, limit)
	if err != nil {
		return err
	}

	items := make([]any, len(entries))
	for i, entry := range entries {
		items[i] = entry.item
	}

	card := client.PublicExport()
	card["pointName"] = ""
	if point, err := e.App.FindRecordById("points", client.GetString("point")); err == nil {
		card["pointName"] = point.GetString("name")
	}
	card["managerName"] = ""
	if id := client.GetString("manager"); id != "" {
		if manager, err := e.App.FindRecordById("users", id); err == nil {
			card["managerName"] = manager.GetString("name")
		}
	}

	return e.JSON(200, map[string]any{
		"client":  card,
		"items":   items,
		"limit":   limit,
		"hasMore": hasMore,
	})
}

// timelineLimit reads ?limit=: a whole number from 1 to timelineMaxLimit.
func timelineLimit(e *core.RequestEvent) (int, error) {
	raw := strings.TrimSpace(e.Request.URL.Query().Get("limit"))
	if raw == "" {
		return timelineDefaultLimit, nil
	}
	limit, err := strconv.Atoi(raw)
	if err != nil || limit < 1 || limit > timelineMaxLimit {
		return 0, domain.FieldErrorT("limit", "validation_invalid_limit", "api.limit", timelineMaxLimit)
	}
	return limit, nil
}

// timelineEntries reads the newest limit items of each kind, merges them
// and keeps the newest limit overall; hasMore reports that older items
// were left out.
func timelineEntries(app core.App, scope *Scope, clientId string, limit int) (entries []timelineEntry, hasMore bool, err error) {
	byClient := dbx.HashExp{"client": clientId}
	fetch := int64(limit + 1)

	var touches []timelineTouchRow
	if err := app.DB().
		Select("rowid AS seq", "id", "occasion", "period", "status", "channel", "comment", "outcome", "follow_up", "author", "created", "updated").
		From("touches").Where(byClient).
		OrderBy("created DESC", "rowid DESC").Limit(fetch).
		All(&touches); err != nil {
		return nil, false, err
	}
	var comments []timelineCommentRow
	if err := app.DB().
		Select("rowid AS seq", "id", "text", "kind", "touch", "author", "created").
		From("comments").Where(byClient).
		OrderBy("created DESC", "rowid DESC").Limit(fetch).
		All(&comments); err != nil {
		return nil, false, err
	}
	// A ticket gives up to two items; its latest moment decides whether
	// either can be among the newest.
	var tickets []timelineTicketRow
	if err := app.DB().
		Select("rowid AS seq", "id", "title", "status", "resolved_at", "created").
		From("tickets").Where(byClient).
		OrderBy("max(created, resolved_at) DESC", "rowid DESC").Limit(fetch).
		All(&tickets); err != nil {
		return nil, false, err
	}
	var holds []timelineHoldRow
	if err := app.DB().
		Select("rowid AS seq", "id", "reason", "note", "until", "ticket", "touch", "occasion", "created").
		From("holds").Where(byClient).
		OrderBy("created DESC", "rowid DESC").Limit(fetch).
		All(&holds); err != nil {
		return nil, false, err
	}

	var events []timelineEventRow
	if err := app.DB().
		Select("rowid AS seq", "id", "kind", "date", "note", "source", "occasion").
		From("events").Where(byClient).
		OrderBy("date DESC", "rowid DESC").Limit(fetch).
		All(&events); err != nil {
		return nil, false, err
	}

	var userIds, occasionIds []string
	for _, ev := range events {
		occasionIds = append(occasionIds, ev.Occasion)
	}
	for _, t := range touches {
		userIds = append(userIds, t.Author)
		occasionIds = append(occasionIds, t.Occasion)
	}
	for _, c := range comments {
		userIds = append(userIds, c.Author)
	}
	for _, h := range holds {
		occasionIds = append(occasionIds, h.Occasion)
	}
	authors, err := timelineAuthors(app, scope, userIds)
	if err != nil {
		return nil, false, err
	}
	titles, err := timelineOccasionTitles(app, scope, occasionIds)
	if err != nil {
		return nil, false, err
	}

	holdFrom := days.ThroughFrom(time.Now(), domain.ClientLocation(app, clientId)) // until is a day: through that day at the point
	for _, t := range touches {
		entries = append(entries, timelineEntry{at: t.Created, seq: t.Seq, item: timelineTouch{
			Type: "touch", At: t.Created, Id: t.Id,
			Occasion: t.Occasion, OccasionTitle: titles[t.Occasion], Period: t.Period,
			Status: t.Status, Channel: t.Channel, Comment: t.Comment, Outcome: t.Outcome, FollowUp: t.FollowUp,
			Author: t.Author, AuthorName: authors[t.Author], Updated: t.Updated,
		}})
	}
	for _, c := range comments {
		entries = append(entries, timelineEntry{at: c.Created, rank: 2, seq: c.Seq, item: timelineComment{
			Type: "comment", At: c.Created, Id: c.Id,
			Text: c.Text, Kind: c.Kind, Touch: c.Touch,
			Author: c.Author, AuthorName: authors[c.Author],
		}})
	}
	for _, t := range tickets {
		ticket := timelineTicket{
			Type: "ticket", At: t.Created, Id: t.Id, Event: "opened",
			Title: t.Title, Status: t.Status, Created: t.Created, ResolvedAt: t.ResolvedAt,
		}
		entries = append(entries, timelineEntry{at: t.Created, seq: t.Seq, item: ticket})
		if t.ResolvedAt != "" {
			ticket.At, ticket.Event = t.ResolvedAt, "resolved"
			entries = append(entries, timelineEntry{at: t.ResolvedAt, seq: t.Seq, item: ticket})
		}
	}
	for _, h := range holds {
		entries = append(entries, timelineEntry{at: h.Created, rank: 1, seq: h.Seq, item: timelineHold{
			Type: "hold", At: h.Created, Id: h.Id,
			Reason: h.Reason, Note: h.Note, Until: h.Until, Ticket: h.Ticket, Touch: h.Touch,
			Occasion: h.Occasion, OccasionTitle: titles[h.Occasion],
			Active: h.Until == "" || h.Until >= holdFrom,
		}})
	}

	for _, ev := range events {
		entries = append(entries, timelineEntry{at: ev.Date, rank: 3, seq: ev.Seq, item: timelineEvent{
			Type: "event", At: ev.Date, Id: ev.Id, Kind: ev.Kind, Date: ev.Date, Note: ev.Note, Source: ev.Source,
			Occasion: ev.Occasion, OccasionTitle: titles[ev.Occasion],
		}})
	}

	// Dates are stored as "2006-01-02 15:04:05.000Z", so text order is
	// time order.
	slices.SortStableFunc(entries, func(a, b timelineEntry) int {
		return cmp.Or(
			cmp.Compare(b.at, a.at),
			cmp.Compare(b.rank, a.rank),
			cmp.Compare(b.seq, a.seq),
		)
	})
	if len(entries) > limit {
		return entries[:limit], true, nil
	}
	return entries, false, nil
}

// timelineAuthors maps user ids to names, leaving out users the caller may
// not see (the users list rule: their own point and service managers), e.g.
// the author of a mark made before the client moved from another point.
func timelineAuthors(app core.App, scope *Scope, ids []string) (map[string]string, error) {
	names := map[string]string{}
	ids = timelineIds(ids)
	if len(ids) == 0 {
		return names, nil
	}
	var users []timelineUser
	if err := app.DB().Select("id", "name", "role", "point").From("users").
		Where(dbx.In("id", planAny(ids)...)).All(&users); err != nil {
		return nil, err
	}
	for _, u := range users {
		if scope.All() || u.Role == access.RoleServiceManager || scope.Allows(u.Point) {
			names[u.Id] = u.Name
		}
	}
	return names, nil
}

// timelineOccasionTitles maps occasion ids to titles, leaving out the
// occasions the caller may not see (those targeting only other points).
func timelineOccasionTitles(app core.App, scope *Scope, ids []string) (map[string]string, error) {
	titles := map[string]string{}
	ids = timelineIds(ids)
	if len(ids) == 0 {
		return titles, nil
	}
	var occasions []timelineOccasion
	if err := app.DB().Select("id", "title", "points").From("occasions").
		Where(dbx.In("id", planAny(ids)...)).All(&occasions); err != nil {
		return nil, err
	}
	for _, o := range occasions {
		if planOccasionVisible(scope, list.ToUniqueStringSlice(o.Points)) {
			titles[o.Id] = o.Title
		}
	}
	return titles, nil
}

// timelineIds returns the distinct non-empty ids.
func timelineIds(ids []string) []string {
	ids = slices.DeleteFunc(ids, func(id string) bool { return id == "" })
	slices.Sort(ids)
	return slices.Compact(ids)
}
