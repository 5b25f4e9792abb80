// Package server wires Touchbase into a PocketBase app: every domain
// package's hooks, the realtime topics and the custom routes.
// BindAppHooks is the one entry point; main and every test app call it, so
// tests exercise the real wiring.
package server

import (
	"github.com/pocketbase/pocketbase/core"

	"touchbase/api"
	"touchbase/cadence"
	"touchbase/clients"
	"touchbase/contacts"
	"touchbase/days"
	"touchbase/digest"
	"touchbase/events"
	"touchbase/holds"
	"touchbase/input"
	"touchbase/occasions"
	"touchbase/phones"
	"touchbase/realtime"
	"touchbase/staff"
	"touchbase/templates"
	"touchbase/touches"
)

// BindAppHooks binds every Touchbase hook, topic and route to app.
func BindAppHooks(app core.App) {
	days.Bind(app) // day fields are days before any other hook reads them
	staff.Bind(app)
	clients.Bind(app)
	contacts.Bind(app)
	phones.Bind(app)
	input.Bind(app)
	cadence.Bind(app)
	occasions.Bind(app)
	templates.Bind(app)
	touches.Bind(app)
	holds.Bind(app)
	events.Bind(app) // events: scope, one record per (source, external_id), event occasions
	realtime.Bind(app)
	api.Bind(app)
	digest.Bind(app) // the morning e-mail: its job, unsubscribe route and users hook
}
