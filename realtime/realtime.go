// Package realtime delivers the realtime events of Touchbase's
// client-scoped collections (touches, comments, clients, tickets, holds)
// to many subscribers without a database query per subscriber.
//
// PocketBase checks a subscriber's list rule with one SQL query per
// subscriber and event, and the writing request waits for all of them: a
// mark with a thousand managers' pages open costs a thousand rule queries
// (about seventy times the mark itself, see BENCHMARKS.md). Yet the rules
// depend on the subscriber only through a few fields of their auth record
// (@request.auth.collectionName, role, point), so subscribers with equal
// values of those fields get the same answer. This package groups the
// subscribers by those values, checks the real rule — with PocketBase's
// own CanAccessRecord — once per group (twenty-one groups for a thousand
// managers of twenty points), remembers the answer per group and per value
// of the record fields the rule reads (decisions.go: after a warm-up an
// event costs one query), and sends each allowed group the message
// PocketBase would have built. As in PocketBase, the checks run after the
// commit and before the writing request answers (which keeps a flood of
// writes from outrunning the deliveries), and the messages are handed to
// the connections without waiting.
//
// It takes over only the wildcard subscriptions without options (e.g.
// "touches/*", what pages and automations subscribe to): a subscription
// with options (filter, expand, fields, headers) or to one record
// ("touches/ID") is left to PocketBase's own broadcast, which serves it
// exactly as before. The hand-over works through the subscription client:
// each realtime connection's client is wrapped so that PocketBase's
// broadcast does not see the subscriptions handled here.
package realtime

import (
	"encoding/json/v2"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// Collections are the collections whose wildcard subscriptions are
// delivered here: those whose rules scope records by the client's point.
var Collections = []string{"clients", "touches", "comments", "tickets", "holds"}

// Register binds the grouped delivery to app for Collections.
func Register(app core.App) {
	f := &fanout{collections: Collections, pending: map[string][]delivery{}}

	app.OnRealtimeConnectRequest().BindFunc(f.onConnect)

	// creates and updates: checked and sent right after the commit, before
	// the writing request answers, as PocketBase does (which also keeps a
	// flood of writes from outrunning the deliveries)
	app.OnModelAfterCreateSuccess(f.collections...).BindFunc(func(e *core.ModelEvent) error {
		if record, ok := asRecord(e.Model); ok && hasSubscribers(e.App) {
			f.send(f.deliveries(e.App, e.App, "create", record))
		}
		return e.Next()
	})
	app.OnModelAfterUpdateSuccess(f.collections...).BindFunc(func(e *core.ModelEvent) error {
		if record, ok := asRecord(e.Model); ok && hasSubscribers(e.App) {
			f.send(f.deliveries(e.App, e.App, "update", record))
		}
		return e.Next()
	})

	// deletes, as PocketBase does them: the messages are built before the
	// delete, while the record and its relations still exist (checked on
	// the app outside the delete's transaction), and sent once the delete
	// has committed
	app.OnModelDelete(f.collections...).Bind(&hook.Handler[*core.ModelEvent]{
		Func: func(e *core.ModelEvent) error {
			if record, ok := asRecord(e.Model); ok && hasSubscribers(e.App) {
				if list := f.deliveries(e.App, app, "delete", record); len(list) > 0 {
					f.mu.Lock()
					f.pending[deleteKey(e.Model)] = list
					f.mu.Unlock()
				}
			}
			return e.Next()
		},
		Priority: 99, // as late as possible, right before the delete
	})
	app.OnModelAfterDeleteSuccess(f.collections...).BindFunc(func(e *core.ModelEvent) error {
		f.send(f.takePending(deleteKey(e.Model)))
		return e.Next()
	})
	app.OnModelAfterDeleteError(f.collections...).BindFunc(func(e *core.ModelErrorEvent) error {
		f.takePending(deleteKey(e.Model))
		return e.Next()
	})
}

type fanout struct {
	collections []string
	decided     decisions // rule outcomes remembered across events

	registryMu sync.RWMutex
	registry   map[string]map[*client]struct{} // hidden prefix → clients with plain subscriptions under it

	mu      sync.Mutex
	pending map[string][]delivery // delete messages waiting for the commit
}

// hasSubscribers reports whether any realtime client is connected.
func hasSubscribers(app core.App) bool {
	return app.SubscriptionsBroker().TotalClients() > 0
}

// delivery is one message for one subscription client.
type delivery struct {
	client subscriptions.Client
	msg    subscriptions.Message
}

// client wraps a realtime connection's subscription client and hides from
// PocketBase's broadcast the subscriptions this package delivers.
//
// PocketBase's broadcast asks every client for its subscriptions under six
// prefixes per event; the wrapper answers from a cached list of topics
// without allocating when nothing matches, which is the common case.
type client struct {
	*subscriptions.DefaultClient
	// hidden are the broadcast prefixes ("touches/*?", "touches?", and the
	// same by collection id) whose option-less subscriptions are ours
	hidden map[string]bool

	topics atomic.Pointer[[]topic] // the subscriptions, refreshed on (un)subscribe
	fanout *fanout                 // keeps the registry of who subscribes to what

	// key caches the group key of the current auth record
	keyMu   sync.Mutex
	keyAuth *core.Record
	keySig  string
	key     string
}

type topic struct {
	name  string
	plain bool // without options
}

// Subscribe subscribes the client and refreshes the cached topics.
func (c *client) Subscribe(subs ...string) {
	c.DefaultClient.Subscribe(subs...)
	c.refresh()
}

// Unsubscribe unsubscribes the client and refreshes the cached topics.
func (c *client) Unsubscribe(subs ...string) {
	c.DefaultClient.Unsubscribe(subs...)
	c.refresh()
}

func (c *client) refresh() {
	all := c.DefaultClient.Subscriptions()
	topics := make([]topic, 0, len(all))
	for name, options := range all {
		topics = append(topics, topic{name, plain(options)})
	}
	slices.SortFunc(topics, func(a, b topic) int { return strings.Compare(a.name, b.name) })
	c.topics.Store(&topics)
	if c.fanout != nil {
		var prefixes []string
		for p := range c.hidden {
			for _, t := range topics {
				if t.plain && matches(t.name, p) {
					prefixes = append(prefixes, p)
					break
				}
			}
		}
		c.fanout.register(c, prefixes)
	}
}

// cachedTopics returns the subscriptions as of the last (un)subscribe.
func (c *client) cachedTopics() []topic {
	if t := c.topics.Load(); t != nil {
		return *t
	}
	return nil
}

// groupKey returns groupKey(auth, fields, exact), computed once per auth
// record (PocketBase replaces the record when the user changes) and rule.
func (c *client) groupKey(auth *core.Record, sig string, fields []string, exact bool) string {
	c.keyMu.Lock()
	defer c.keyMu.Unlock()
	if c.keyAuth != auth || c.keySig != sig || c.key == "" {
		c.keyAuth, c.keySig, c.key = auth, sig, groupKey(auth, fields, exact)
	}
	return c.key
}

// Subscriptions returns the client's subscriptions matching prefixes; for
// one of the hidden prefixes (PocketBase's broadcast asks one prefix at a
// time) it leaves out the subscriptions without options.
func (c *client) Subscriptions(prefixes ...string) map[string]subscriptions.SubscriptionOptions {
	if len(prefixes) != 1 {
		return c.DefaultClient.Subscriptions(prefixes...)
	}
	prefix := prefixes[0]
	found := false
	for _, t := range c.cachedTopics() {
		if matches(t.name, prefix) && !(t.plain && c.hidden[prefix]) {
			found = true
			break
		}
	}
	if !found {
		return nil
	}
	hidden := c.hidden[prefix]
	subs := c.DefaultClient.Subscriptions(prefix)
	if hidden {
		for s, options := range subs {
			if plain(options) {
				delete(subs, s)
			}
		}
	}
	return subs
}

// ours returns the subscriptions matching prefixes that this package
// delivers: those without options.
func (c *client) ours(prefixes []string) []string {
	var out []string
	for _, t := range c.cachedTopics() {
		if !t.plain {
			continue
		}
		for _, prefix := range prefixes {
			if matches(t.name, prefix) {
				out = append(out, t.name)
				break
			}
		}
	}
	return out
}

// matches reports whether subscription sub falls under a broadcast prefix,
// as PocketBase's DefaultClient.Subscriptions decides it:
// strings.HasPrefix(sub+"?", prefix), without building sub+"?".
func matches(sub, prefix string) bool {
	if len(prefix) <= len(sub) {
		return sub[:len(prefix)] == prefix
	}
	return len(prefix) == len(sub)+1 && prefix[len(sub)] == '?' && prefix[:len(sub)] == sub
}

func plain(o subscriptions.SubscriptionOptions) bool {
	return len(o.Query) == 0 && len(o.Headers) == 0
}

// onConnect wraps the new connection's client.
func (f *fanout) onConnect(e *core.RealtimeConnectRequestEvent) error {
	if dc, ok := e.Client.(*subscriptions.DefaultClient); ok {
		hidden := map[string]bool{}
		for _, name := range f.collections {
			if c, err := e.App.FindCachedCollectionByNameOrId(name); err == nil {
				for _, p := range wildcardPrefixes(c) {
					hidden[p] = true
				}
			}
		}
		wrapped := &client{DefaultClient: dc, hidden: hidden, fanout: f}
		e.Client = wrapped
		defer f.register(wrapped, nil) // the connection has ended
	}
	return e.Next()
}

// register records which hidden prefixes client has plain subscriptions
// under, so that an event looks only at the clients subscribed to its
// collection (a mark creates a touch and a comment; pages subscribe to
// touches).
func (f *fanout) register(c *client, prefixes []string) {
	f.registryMu.Lock()
	defer f.registryMu.Unlock()
	if f.registry == nil {
		f.registry = map[string]map[*client]struct{}{}
	}
	for p, set := range f.registry {
		delete(set, c)
		if len(set) == 0 {
			delete(f.registry, p)
		}
	}
	for _, p := range prefixes {
		if f.registry[p] == nil {
			f.registry[p] = map[*client]struct{}{}
		}
		f.registry[p][c] = struct{}{}
	}
}

// subscribers returns the clients with plain subscriptions under any of
// prefixes.
func (f *fanout) subscribers(prefixes []string) []*client {
	f.registryMu.RLock()
	defer f.registryMu.RUnlock()
	var out []*client
	for i, p := range prefixes {
		for c := range f.registry[p] {
			seen := false
			for _, q := range prefixes[:i] {
				if _, ok := f.registry[q][c]; ok {
					seen = true
					break
				}
			}
			if !seen {
				out = append(out, c)
			}
		}
	}
	return out
}

// wildcardPrefixes are the broadcast prefixes of the collection's
// wildcard topics (which PocketBase checks against the list rule).
func wildcardPrefixes(c *core.Collection) []string {
	return []string{c.Name + "/*?", c.Id + "/*?", c.Name + "?", c.Id + "?"}
}

// deliveries builds the messages of one record event for the subscribers
// this package serves: it groups them by the auth fields the list rule
// reads, checks the rule once per group on accessApp, and builds each
// allowed group's message once.
func (f *fanout) deliveries(app, accessApp core.App, action string, record *core.Record) []delivery {
	collection := record.Collection()
	prefixes := wildcardPrefixes(collection)
	rule := collection.ListRule
	fields, exact := authFields(rule)
	perUser := app.OnRecordEnrich().Length() > 0 // an enrich hook may depend on who asks
	sig := fmt.Sprint(fields, exact && !perUser)

	type member struct {
		client subscriptions.Client
		subs   []string
	}
	type group struct {
		auth    *core.Record
		members []member
	}
	groups := map[string]*group{}
	var keys []string
	for _, wrapped := range f.subscribers(prefixes) {
		if wrapped.IsDiscarded() {
			continue
		}
		var c subscriptions.Client = wrapped
		subs := wrapped.ours(prefixes)
		if len(subs) == 0 {
			continue
		}
		auth, _ := c.Get(apis.RealtimeClientAuthKey).(*core.Record)
		key := wrapped.groupKey(auth, sig, fields, exact && !perUser)
		g := groups[key]
		if g == nil {
			g = &group{auth: auth}
			groups[key] = g
			keys = append(keys, key)
		}
		g.members = append(g.members, member{c, subs})
	}
	if len(groups) == 0 {
		return nil
	}

	// one rule decision and one message per group
	infos := make([]*core.RequestInfo, len(keys))
	auths := make([]*core.Record, len(keys))
	for i, key := range keys {
		auths[i] = groups[key].auth
		infos[i] = requestInfo(auths[i])
	}
	ok := f.decide(accessApp, record, rule, auths, infos)
	var out []delivery
	for i, key := range keys {
		if !ok[i] {
			continue
		}
		data := message(app, action, record, infos[i])
		if data == nil {
			continue
		}
		for _, m := range groups[key].members {
			for _, sub := range m.subs {
				out = append(out, delivery{m.client, subscriptions.Message{Name: sub, Data: data}})
			}
		}
	}
	return out
}

// requestInfo is the request a realtime subscriber authenticated as auth
// makes, as PocketBase's broadcast mocks it (for a subscription without
// options).
func requestInfo(auth *core.Record) *core.RequestInfo {
	return &core.RequestInfo{
		Context: core.RequestInfoContextRealtime,
		Method:  "GET",
		Query:   map[string]string{},
		Headers: map[string]string{},
		Auth:    auth,
	}
}

// message returns what PocketBase's broadcast sends a subscriber allowed to
// see the record, or nil when it cannot be built.
func message(app core.App, action string, record *core.Record, info *core.RequestInfo) []byte {
	clean := record.Fresh()
	if info.HasSuperuserAuth() {
		clean.Unhide(record.Collection().Fields.FieldNames()...)
	}
	enrich := new(core.RecordEnrichEvent)
	enrich.App = app
	enrich.RequestInfo = info
	enrich.Record = clean
	if err := app.OnRecordEnrich().Trigger(enrich, func(*core.RecordEnrichEvent) error { return nil }); err != nil {
		app.Logger().Debug("[realtime] record enrich error", slog.String("id", record.Id), slog.Any("error", err))
		return nil
	}
	data, err := json.Marshal(&recordData{Record: clean, Action: action})
	if err != nil {
		app.Logger().Debug("[realtime] marshal error", slog.String("id", record.Id), slog.Any("error", err))
		return nil
	}
	return data
}

// recordData is the message data, as PocketBase's broadcast writes it.
type recordData struct {
	Record any    `json:"record"`
	Action string `json:"action"`
}

// send hands each message to its client without waiting (a slow reader
// must not hold up the writer), as PocketBase does.
func (f *fanout) send(list []delivery) {
	for _, d := range list {
		routine.FireAndForget(func() { d.client.Send(d.msg) })
	}
}

func (f *fanout) takePending(key string) []delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	list := f.pending[key]
	delete(f.pending, key)
	return list
}

func deleteKey(m core.Model) string {
	id, _ := m.PK().(string)
	return m.TableName() + "/" + id
}

func asRecord(m core.Model) (*core.Record, bool) {
	switch r := m.(type) {
	case *core.Record:
		return r, true
	case core.RecordProxy:
		return r.ProxyRecord(), true
	}
	return nil, false
}

var authRef = regexp.MustCompile(`@request\.auth\.([A-Za-z0-9_]+)`)

// authFields lists the fields of the auth record the rule reads. exact is
// false when the rule mentions @request.auth in a way this does not
// recognise; then subscribers are not grouped.
func authFields(rule *string) ([]string, bool) {
	if rule == nil {
		return nil, true
	}
	var fields []string
	matches := authRef.FindAllStringSubmatch(*rule, -1)
	for _, m := range matches {
		if !slices.Contains(fields, m[1]) {
			fields = append(fields, m[1])
		}
	}
	slices.Sort(fields)
	return fields, len(matches) == strings.Count(*rule, "@request.auth")
}

// groupKey is equal for two subscribers exactly when the rule sees the same
// values for them: the auth collection and the fields the rule reads (or,
// when not exact, the auth record itself).
func groupKey(auth *core.Record, fields []string, exact bool) string {
	if auth == nil {
		return "guest"
	}
	key := auth.Collection().Id
	if !exact {
		return key + "/" + auth.Id
	}
	for _, field := range fields {
		switch field {
		case "collectionId", "collectionName":
			continue // the collection is in the key already
		case "id":
			key += "|" + auth.Id
		default:
			raw, err := json.Marshal(auth.Get(field))
			if err != nil {
				return auth.Collection().Id + "/" + auth.Id
			}
			key += "|" + string(raw)
		}
	}
	return key
}
