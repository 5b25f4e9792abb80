// Package realtime adds to PocketBase's realtime API what Touchbase needs
// and nothing that decides access a second time:
//
//   - the page's topics, TouchesTopic and CommentsTopic: subscriptions that
//     deliver the touches (comments) of every client its user may see, in
//     commit order and off the writer's path. Each event is checked
//     against the users table at the moment of the event, for all of the
//     topic's subscribers with one query (access.Readers), whether ten pages
//     or a thousand are open;
//   - the bounds on what one user may subscribe (topics per connection,
//     connections per user, options), so that nobody can make other users'
//     writes slow;
//   - a session check on every subscribe request, against the database
//     after the request's body has arrived, so that a request held
//     half-sent while its user's password is reset or the account deleted
//     cannot bring the old session back.
//
// Standard subscriptions ("touches/*", "comments/*", …, with or without
// options) stay PocketBase's: its broadcast checks each subscriber's list
// rule, whose @request.auth fields it reads from the database.
package realtime

import (
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"touchbase/access"
	"touchbase/domain"
)

// The manager page's subscriptions: every created, updated or deleted
// touch (comment) of the clients the subscriber may see at that moment.
// The message is the one PocketBase sends for "touches/*" ("comments/*"):
// {"record":{…},"action":"create"}. They take no options.
const (
	TouchesTopic  = "touchbase/touches"
	CommentsTopic = "touchbase/comments"
)

// topics maps each custom topic to the collection whose records it
// carries; every such collection has a "client" relation.
var topics = map[string]string{TouchesTopic: "touches", CommentsTopic: "comments"}

// Topics returns the custom topics with the collection each carries (the
// access review checks that each has a decision).
func Topics() map[string]string {
	all := maps.Clone(topics)
	all[OccasionsTopic] = "occasions"
	return all
}

// The bounds of one user's subscriptions. The page needs one connection per
// open tab (a manager rarely has more than a few) with three topics (the two custom ones and PB_CONNECT); an
// automation one standard subscription per collection of SPEC §7.
//
// PocketBase's broadcast checks every standard subscription on its own,
// with a rule query per subscription and event, while the writing request
// waits: MaxStandardPerCollection keeps what one user adds to another
// user's write to one of those queries.
const (
	MaxTopicsPerConnection   = 10
	MaxConnectionsPerUser    = 6
	MaxStandardPerCollection = 1
	// MaxFilterLength bounds a subscription's filter option, which
	// PocketBase evaluates with a query per event.
	MaxFilterLength = 300
	// MaxExpandPaths bounds a subscription's expand option, which costs a
	// query per path and event.
	MaxExpandPaths = 3
)

// customPrefix names Touchbase's own topics; any other topic under it is
// unknown.
const customPrefix = "touchbase/"

// Bind adds the touches topic and the subscription checks to app.
func Bind(app core.App) {
	app.OnRealtimeSubscribeRequest().BindFunc(checkSubscribe)

	d := newDelivery(app)
	for topic, collection := range topics {
		app.OnModelAfterCreateSuccess(collection).BindFunc(func(e *core.ModelEvent) error {
			d.enqueue(topic, "create", e.Model)
			return e.Next()
		})
		app.OnModelAfterUpdateSuccess(collection).BindFunc(func(e *core.ModelEvent) error {
			d.enqueue(topic, "update", e.Model)
			return e.Next()
		})
		app.OnModelAfterDeleteSuccess(collection).BindFunc(func(e *core.ModelEvent) error {
			d.enqueue(topic, "delete", e.Model)
			return e.Next()
		})
	}
	// the occasions topic: an occasion or one of its templates changed
	for _, collection := range []string{"occasions", "occasion_templates"} {
		app.OnModelAfterCreateSuccess(collection).BindFunc(func(e *core.ModelEvent) error {
			d.enqueue(OccasionsTopic, "create", e.Model)
			return e.Next()
		})
		app.OnModelAfterUpdateSuccess(collection).BindFunc(func(e *core.ModelEvent) error {
			d.enqueue(OccasionsTopic, "update", e.Model)
			return e.Next()
		})
	}
	app.OnModelAfterDeleteSuccess("occasion_templates").BindFunc(func(e *core.ModelEvent) error {
		d.enqueue(OccasionsTopic, "delete", e.Model)
		return e.Next()
	})
}

// checkSubscribe vets a subscribe request before PocketBase applies it,
// and checks the session once more after.
func checkSubscribe(e *core.RealtimeSubscribeRequestEvent) error {
	if len(e.Subscriptions) == 0 {
		return e.Next() // unsubscribing from everything is always allowed
	}
	if e.Auth == nil {
		return domain.ErrorT(http.StatusUnauthorized, "realtime.guest")
	}
	if !e.Auth.IsSuperuser() {
		if err := refuseEndedSession(e.App, e.Auth); err != nil {
			return err
		}
		if err := checkBounds(e); err != nil {
			return err
		}
	}
	if err := e.Next(); err != nil {
		return err
	}
	// PocketBase has now stored e.Auth on the connection. Had the session
	// ended between the check above and that store (a password reset
	// committing meanwhile), PocketBase's own clean-up may have run before
	// the store and missed it: look again, now that the store is done.
	if !e.Auth.IsSuperuser() && refuseEndedSession(e.App, e.Auth) != nil {
		e.Client.Unset(apis.RealtimeClientAuthKey)
		e.Client.Unsubscribe()
	}
	return nil
}

// refuseEndedSession is a 401 when auth's account no longer exists or its
// token key changed since the request was signed in (password reset,
// forced sign-out): the request was authenticated when it started, which
// for a request held half-sent may be long ago.
func refuseEndedSession(app core.App, auth *core.Record) error {
	current, err := app.FindRecordById(auth.Collection().Id, auth.Id)
	if err != nil || current.TokenKey() != auth.TokenKey() {
		return domain.ErrorT(http.StatusUnauthorized, "realtime.session_ended")
	}
	if access.IsStaff(current) && current.GetString("role") == "" {
		return domain.ErrorT(http.StatusForbidden, "realtime.staff_only")
	}
	return nil
}

// checkBounds refuses subscriptions beyond the bounds, and unknown or
// optioned custom topics, with a 4xx that says which bound.
func checkBounds(e *core.RealtimeSubscribeRequestEvent) error {
	if len(e.Subscriptions) > MaxTopicsPerConnection {
		return subscriptionsError(http.StatusBadRequest, "validation_too_many_topics",
			"realtime.too_many_topics", MaxTopicsPerConnection)
	}
	standard := map[string]int{} // collection id → standard subscriptions
	for _, sub := range e.Subscriptions {
		topic, rawOptions, _ := strings.Cut(sub, "?")
		if strings.HasPrefix(topic, customPrefix) {
			if _, ok := topics[topic]; !ok && topic != OccasionsTopic {
				return subscriptionsError(http.StatusBadRequest, "validation_unknown_topic", "realtime.unknown_topic", topic)
			}
			if rawOptions != "" {
				return subscriptionsError(http.StatusBadRequest, "validation_topic_options", "realtime.topic_options", topic)
			}
			continue
		}
		if err := checkOptions(sub); err != nil {
			return err
		}
		if collection := collectionOf(e.App, topic); collection != nil {
			standard[collection.Id]++
		}
	}
	connections, elsewhere := subscriptionsOf(e.App, e.Auth, e.Client)
	if connections >= MaxConnectionsPerUser {
		return subscriptionsError(http.StatusTooManyRequests, "validation_too_many_connections",
			"realtime.connections", MaxConnectionsPerUser)
	}
	for id, n := range standard {
		if n+elsewhere[id] > MaxStandardPerCollection {
			name := id
			if c, err := e.App.FindCachedCollectionByNameOrId(id); err == nil {
				name = c.Name
			}
			return subscriptionsError(http.StatusTooManyRequests, "validation_too_many_subscriptions",
				"realtime.per_collection", MaxStandardPerCollection, name)
		}
	}
	return nil
}

// collectionOf is the collection a standard topic ("touches/*",
// "touches/ID", or the old form "touches") listens to, or nil.
func collectionOf(app core.App, topic string) *core.Collection {
	name, _, _ := strings.Cut(topic, "/")
	collection, err := app.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return nil
	}
	return collection
}

// checkOptions bounds the options of a standard subscription, parsed the
// way PocketBase parses them.
func checkOptions(sub string) error {
	probe := subscriptions.NewDefaultClient()
	probe.Subscribe(sub)
	for _, options := range probe.Subscriptions() {
		if filter := options.Query["filter"]; len(filter) > MaxFilterLength {
			return subscriptionsError(http.StatusBadRequest, "validation_filter_too_long",
				"realtime.filter_too_long", MaxFilterLength)
		} else if strings.Contains(filter, "@collection") {
			return subscriptionsError(http.StatusBadRequest, "validation_filter_collection",
				"realtime.filter_collection")
		}
		if expand := options.Query["expand"]; expand != "" && len(strings.Split(expand, ",")) > MaxExpandPaths {
			return subscriptionsError(http.StatusBadRequest, "validation_expand_too_long",
				"realtime.expand_too_long", MaxExpandPaths)
		}
	}
	return nil
}

// subscriptionsOf counts the connections other than self that are signed
// in as auth and subscribed to something, and their standard
// subscriptions per collection id.
func subscriptionsOf(app core.App, auth *core.Record, self subscriptions.Client) (int, map[string]int) {
	connections, standard := 0, map[string]int{}
	for _, client := range app.SubscriptionsBroker().Clients() {
		if client == self || client.IsDiscarded() {
			continue
		}
		other, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if other == nil || other.Id != auth.Id || other.Collection().Id != auth.Collection().Id {
			continue
		}
		subs := client.Subscriptions()
		if len(subs) == 0 {
			continue
		}
		connections++
		for sub := range subs {
			topic, _, _ := strings.Cut(sub, "?")
			if collection := collectionOf(app, topic); collection != nil {
				standard[collection.Id]++
			}
		}
	}
	return connections, standard
}

// subscriptionsError is a 4xx naming the "subscriptions" field of the
// subscribe request, in PocketBase's error format, with its message from
// the texts catalogue (key, args) in the request's language.
func subscriptionsError(status int, code, key string, args ...any) error {
	return domain.FieldErrorStatusT(status, "subscriptions", code, key, args...)
}

// delivery sends the custom topics' events in the order they committed,
// off the writing request's path: a mark does not wait for a thousand open
// pages. Each event is decided when it is sent, from the database at that
// moment (a user moved or signed out meanwhile gets nothing).
type delivery struct {
	app   core.App // the app outside any transaction
	queue chan event
	done  chan struct{}
}

// event is one committed change of a record a custom topic carries.
type event struct {
	topic, action string
	record        *core.Record // a copy taken at the commit
}

// queueSize bounds the events waiting to be sent: a flood of writes waits
// for the deliveries instead of growing the queue without end.
const queueSize = 4096

// newDelivery starts the sender; it stops when app terminates.
func newDelivery(app core.App) *delivery {
	d := &delivery{app: app, queue: make(chan event, queueSize), done: make(chan struct{})}
	var stop sync.Once // terminate may be triggered more than once
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		stop.Do(func() { close(d.done) })
		return e.Next()
	})
	go d.run()
	return d
}

func (d *delivery) enqueue(topic, action string, model core.Model) {
	record, ok := model.(*core.Record)
	if !ok || !hasListeners(d.app, topic) {
		return
	}
	select {
	case d.queue <- event{topic: topic, action: action, record: record.Fresh()}:
	case <-d.done:
	}
}

func (d *delivery) run() {
	for {
		select {
		case ev := <-d.queue:
			d.publish(ev)
		case <-d.done:
			return
		}
	}
}

// hasListeners reports whether any connection subscribes to topic.
func hasListeners(app core.App, topic string) bool {
	for _, client := range app.SubscriptionsBroker().Clients() {
		if !client.IsDiscarded() && client.HasSubscription(topic) {
			return true
		}
	}
	return false
}

// publish sends ev to the subscribers of its topic who may see the
// record's client now.
//
// The subscribers' rights over the record's client are read from the
// database (one query); what the connection remembers of its user is used
// only as the claim to check: its id and the token key its session was
// signed with.
func (d *delivery) publish(ev event) {
	if ev.topic == OccasionsTopic {
		d.publishOccasion(ev)
		return
	}
	readers, err := access.Readers(d.app, ev.record.GetString("client"))
	if err != nil {
		d.app.Logger().Warn("[realtime] readers", slog.String("topic", ev.topic), slog.String("id", ev.record.Id), slog.Any("error", err))
		return
	}
	if len(readers) == 0 {
		return
	}
	data, err := json.Marshal(recordData{Record: ev.record, Action: ev.action})
	if err != nil {
		return
	}
	msg := subscriptions.Message{Name: ev.topic, Data: data}
	for _, client := range d.app.SubscriptionsBroker().Clients() {
		if client.IsDiscarded() || !client.HasSubscription(ev.topic) {
			continue
		}
		auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if !access.IsStaff(auth) {
			continue // signed out since, or a superuser (who uses the standard topics)
		}
		if tokenKey, ok := readers[auth.Id]; ok && tokenKey == auth.TokenKey() {
			routine.FireAndForget(func() { client.Send(msg) })
		}
	}
}

// recordData is the message data, as PocketBase's broadcast writes it.
type recordData struct {
	Record any    `json:"record"`
	Action string `json:"action"`
}
