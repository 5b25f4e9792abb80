// Package realtime adds to PocketBase's realtime API what Touchbase needs
// and nothing that decides access a second time:
//
//   - the page's topics, TouchesTopic and CommentsTopic: subscriptions that
//     deliver the touches (comments) of every client its user may see.
//     Each event is checked
//     against the users table at the moment of the event, for all of the
//     topic's subscribers with one query (access.Readers), so a mark costs
//     the same two queries whether ten pages or a thousand are open;
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
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"touchbase/access"
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
	return maps.Clone(topics)
}

// The bounds of one user's subscriptions. The page needs one connection per
// open tab with three topics (the two custom ones and PB_CONNECT); an
// automation one standard subscription per collection of SPEC §7.
//
// PocketBase's broadcast checks every standard subscription on its own,
// with a rule query per subscription and event, while the writing request
// waits: MaxStandardPerCollection keeps what one user adds to another
// user's write to one of those queries.
const (
	MaxTopicsPerConnection   = 10
	MaxConnectionsPerUser    = 4
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

	for topic, collection := range topics {
		app.OnModelAfterCreateSuccess(collection).BindFunc(func(e *core.ModelEvent) error {
			publish(e.App, topic, "create", e.Model)
			return e.Next()
		})
		app.OnModelAfterUpdateSuccess(collection).BindFunc(func(e *core.ModelEvent) error {
			publish(e.App, topic, "update", e.Model)
			return e.Next()
		})
		app.OnModelAfterDeleteSuccess(collection).BindFunc(func(e *core.ModelEvent) error {
			publish(e.App, topic, "delete", e.Model)
			return e.Next()
		})
	}
}

// checkSubscribe vets a subscribe request before PocketBase applies it,
// and checks the session once more after.
func checkSubscribe(e *core.RealtimeSubscribeRequestEvent) error {
	if len(e.Subscriptions) == 0 {
		return e.Next() // unsubscribing from everything is always allowed
	}
	if e.Auth == nil {
		return e.UnauthorizedError("Sign in to subscribe: no Touchbase data is public.", nil)
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
		return router.NewUnauthorizedError("Your session has ended; sign in again.", nil)
	}
	if access.IsStaff(current) && current.GetString("role") == "" {
		return router.NewForbiddenError("Only Touchbase staff can subscribe.", nil)
	}
	return nil
}

// checkBounds refuses subscriptions beyond the bounds, and unknown or
// optioned custom topics, with a 4xx that says which bound.
func checkBounds(e *core.RealtimeSubscribeRequestEvent) error {
	if len(e.Subscriptions) > MaxTopicsPerConnection {
		return subscriptionsError(http.StatusBadRequest, "validation_too_many_topics",
			"At most %d topics per connection.", MaxTopicsPerConnection)
	}
	standard := map[string]int{} // collection id → standard subscriptions
	for _, sub := range e.Subscriptions {
		topic, rawOptions, _ := strings.Cut(sub, "?")
		if strings.HasPrefix(topic, customPrefix) {
			if _, ok := topics[topic]; !ok {
				return subscriptionsError(http.StatusBadRequest, "validation_unknown_topic", "Unknown topic %q.", topic)
			}
			if rawOptions != "" {
				return subscriptionsError(http.StatusBadRequest, "validation_topic_options", "The topic %q takes no options.", topic)
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
			"At most %d live connections per user: close another tab or automation first.", MaxConnectionsPerUser)
	}
	for id, n := range standard {
		if n+elsewhere[id] > MaxStandardPerCollection {
			name := id
			if c, err := e.App.FindCachedCollectionByNameOrId(id); err == nil {
				name = c.Name
			}
			return subscriptionsError(http.StatusTooManyRequests, "validation_too_many_subscriptions",
				"At most %d subscriptions to %s per user, over all connections.", MaxStandardPerCollection, name)
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
				"A subscription's filter is limited to %d characters.", MaxFilterLength)
		} else if strings.Contains(filter, "@collection") {
			return subscriptionsError(http.StatusBadRequest, "validation_filter_collection",
				"A subscription's filter cannot read other collections (@collection): it would run on every change.")
		}
		if expand := options.Query["expand"]; expand != "" && len(strings.Split(expand, ",")) > MaxExpandPaths {
			return subscriptionsError(http.StatusBadRequest, "validation_expand_too_long",
				"A subscription expands at most %d relations.", MaxExpandPaths)
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
// subscribe request, in PocketBase's error format.
func subscriptionsError(status int, code, format string, args ...any) error {
	message := fmt.Sprintf(format, args...)
	data := validation.Errors{"subscriptions": validation.NewError(code, message)}
	if status == http.StatusTooManyRequests {
		return router.NewTooManyRequestsError(message, data)
	}
	return router.NewBadRequestError(message, data)
}

// publish sends a record event to the subscribers of topic who may see the
// record's client now.
//
// The subscribers' rights over the record's client are read from the
// database at this moment (one query); what the connection remembers of
// its user is used only as the claim to check: its id and the token key
// its session was signed with.
func publish(app core.App, topic, action string, model core.Model) {
	record, ok := model.(*core.Record)
	if !ok {
		return
	}
	var listeners []subscriptions.Client
	var ids []string
	for _, client := range app.SubscriptionsBroker().Clients() {
		if client.IsDiscarded() || !client.HasSubscription(topic) {
			continue
		}
		if auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record); access.IsStaff(auth) {
			listeners = append(listeners, client)
			ids = append(ids, auth.Id)
		}
	}
	if len(listeners) == 0 {
		return
	}

	readers, err := access.Readers(app, record.GetString("client"), ids)
	if err != nil {
		app.Logger().Warn("[realtime] readers", slog.String("topic", topic), slog.String("id", record.Id), slog.Any("error", err))
		return
	}

	data, err := json.Marshal(recordData{Record: record.Fresh(), Action: action})
	if err != nil {
		return
	}
	msg := subscriptions.Message{Name: topic, Data: data}
	for _, client := range listeners {
		auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		if auth == nil {
			continue // signed out since
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
