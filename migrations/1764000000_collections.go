// Package migrations creates Touchbase's collections, indexes and API rules
// (SPEC §2–§3). They are Go migrations so that every data dir, test app and
// demo gets exactly the same schema.
package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/access"
	"touchbase/domain"
)

// Values of the select fields: the lists in package domain, which the
// routes' filters check query values against too.
var (
	roles          = domain.Roles
	segments       = domain.Segments
	stages         = domain.Stages
	channels       = domain.Channels
	kinds          = domain.OccasionKinds
	categories     = domain.Categories
	touchStatuses  = domain.TouchStatuses
	commentKinds   = domain.CommentKinds
	ticketStatuses = domain.TicketStatuses
	holdReasons    = domain.HoldReasons
)

// Default rhythm per segment (SPEC §1: A+ and A more often than C and D).
var defaultCadences = []struct {
	segment  string
	interval int
}{{"A+", 14}, {"A", 21}, {"B", 30}, {"C", 60}, {"D", 90}}

func init() {
	m.Register(createCollections, dropCollections)
}

func createCollections(app core.App) error {
	points := core.NewBaseCollection("points")
	points.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 120, Presentable: true, Help: "Branch name, unique."},
		&core.TextField{Name: "timezone", Max: 64, Help: "IANA time zone (e.g. Europe/Moscow) that decides \"today\" for this point; empty = the server's."},
	)
	withAutodates(points)
	points.AddIndex("idx_points_name", true, "name COLLATE NOCASE", "")
	points.ListRule = rule(access.SeesPoint("id"))
	points.ViewRule = points.ListRule
	points.CreateRule = rule(access.ServiceManager)
	points.UpdateRule = rule(access.ServiceManager)
	points.DeleteRule = rule(access.ServiceManager)
	if err := app.Save(points); err != nil {
		return err
	}

	if err := extendUsers(app, points); err != nil {
		return err
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}

	clients := core.NewBaseCollection("clients")
	clients.Fields.Add(
		&core.TextField{Name: "name", Required: true, Max: 200, Presentable: true, Help: "Company or person."},
		&core.RelationField{Name: "point", Required: true, MaxSelect: 1, CollectionId: points.Id, Help: "The branch that owns this client; only its managers see it."},
		&core.RelationField{Name: "manager", MaxSelect: 1, CollectionId: users.Id, Help: "Account manager: a user of the same point or a service manager."},
		&core.SelectField{Name: "segment", MaxSelect: 1, Values: segments, Help: "ABCD class; decides the cadence."},
		&core.SelectField{Name: "stage", MaxSelect: 1, Values: stages},
		&core.TextField{Name: "contact_name", Max: 200, Help: "The decision maker to address in messages ({{contact}})."},
		&core.DateField{Name: "contact_birthday", Help: "For birthday occasions (the year may be approximate)."},
		&core.DateField{Name: "since", Help: "Start of the relationship, for anniversaries ({{years}})."},
		&core.SelectField{Name: "channel", MaxSelect: 1, Values: channels, Help: "Where the client prefers to be reached."},
		&core.TextField{Name: "telegram", Max: 33, Pattern: `^@?[A-Za-z][A-Za-z0-9_]{4,31}$`, Help: "Telegram username, e.g. @romashka_ltd."},
		&core.TextField{Name: "whatsapp", Max: 24, Pattern: `^\+?[0-9][0-9 ()-]{5,22}$`, Help: "WhatsApp number in international format, e.g. +7 912 345-67-89."},
		&core.TextField{Name: "phone", Max: 24, Pattern: `^\+?[0-9][0-9 ()-]{5,22}$`, Help: "Phone number, e.g. +7 (495) 123-45-67."},
		&core.EmailField{Name: "email"},
		&core.JSONField{Name: "tags", MaxSize: 2000, Help: `Free labels, a JSON list of strings, e.g. ["vip","retail"].`},
		&core.TextField{Name: "notes", Max: 5000},
		&core.TextField{Name: "search", Hidden: true, Max: 1000, Help: "Lower-cased name and contact for search in any script; kept by the server."},
	)
	withAutodates(clients)
	clients.AddIndex("idx_clients_point", false, "point", "")
	clients.AddIndex("idx_clients_manager", false, "manager", "")
	clients.AddIndex("idx_clients_point_segment", false, "point, segment", "")
	clients.ListRule = rule(access.SeesPoint("point"))
	clients.ViewRule = clients.ListRule
	clients.CreateRule = rule(access.StaffWithScope)
	clients.UpdateRule = clients.ListRule
	clients.DeleteRule = rule(access.ServiceManager)
	if err := app.Save(clients); err != nil {
		return err
	}

	occasions := core.NewBaseCollection("occasions")
	occasions.Fields.Add(
		&core.TextField{Name: "title", Required: true, Max: 200, Presentable: true},
		&core.TextField{Name: "template", Max: 4000, Help: "Message text with placeholders: {{client}} {{contact}} {{manager}} {{point}} {{years}} {{date}}."},
		&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: kinds, Help: "mandatory: tied to an order; standard: value for the client (held clients are skipped)."},
		&core.SelectField{Name: "category", MaxSelect: 1, Values: categories},
		&core.DateField{Name: "starts", Help: "First day the occasion is active (for yearly ones: the date each year)."},
		&core.DateField{Name: "ends", Help: "Last day the occasion is active; after it the occasion leaves worklists."},
		&core.SelectField{Name: "repeat", MaxSelect: 1, Values: domain.Repeats},
		&core.SelectField{Name: "trigger", MaxSelect: 1, Values: domain.Triggers, Help: "Personal occasion: the date comes from each client's birthday / since."},
		&core.SelectField{Name: "segments", MaxSelect: len(segments), Values: segments, Help: "Target segments; empty = all."},
		&core.RelationField{Name: "points", MaxSelect: 999, CollectionId: points.Id, Help: "Target points; empty = all."},
		&core.BoolField{Name: "archived", Help: "Archived occasions leave every list but keep their history."},
	)
	withAutodates(occasions)
	occasions.ListRule = rule(access.ServiceManager + ` || (` + access.PointManager + ` && (points:length = 0 || points.id ?= @request.auth.point))`)
	occasions.ViewRule = occasions.ListRule
	occasions.CreateRule = rule(access.ServiceManager)
	occasions.UpdateRule = rule(access.ServiceManager)
	occasions.DeleteRule = rule(access.ServiceManager)
	if err := app.Save(occasions); err != nil {
		return err
	}

	touches := core.NewBaseCollection("touches")
	touches.Fields.Add(
		&core.RelationField{Name: "client", Required: true, MaxSelect: 1, CollectionId: clients.Id},
		&core.RelationField{Name: "occasion", Required: true, MaxSelect: 1, CollectionId: occasions.Id},
		&core.TextField{Name: "period", Max: 10, Help: "Set by the server: \"\" for a one-off occasion, the year of the occurrence for a yearly one."},
		&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: touchStatuses, Help: "done = touched; skipped = deliberately not."},
		&core.SelectField{Name: "channel", MaxSelect: 1, Values: channels},
		&core.TextField{Name: "comment", Max: 2000},
		&core.RelationField{Name: "author", MaxSelect: 1, CollectionId: users.Id, Help: "Set by the server to the signed-in user."},
	)
	withAutodates(touches)
	touches.AddIndex("idx_touches_once", true, "client, occasion, period", "")
	touches.AddIndex("idx_touches_occasion", false, "occasion, period", "")
	touches.AddIndex("idx_touches_author", false, "author", "")
	touches.ListRule = rule(access.OwnClient)
	touches.ViewRule = touches.ListRule
	touches.CreateRule = rule(access.StaffWithScope)
	touches.UpdateRule = rule(access.OwnClient)
	touches.DeleteRule = nil // history: only superusers may remove a touch
	if err := app.Save(touches); err != nil {
		return err
	}

	comments := core.NewBaseCollection("comments")
	comments.Fields.Add(
		&core.RelationField{Name: "client", Required: true, MaxSelect: 1, CollectionId: clients.Id},
		&core.TextField{Name: "text", Required: true, Max: 5000},
		&core.SelectField{Name: "kind", MaxSelect: 1, Values: commentKinds, Help: "touch and system comments are written by the server and cannot be changed."},
		&core.RelationField{Name: "touch", MaxSelect: 1, CollectionId: touches.Id, CascadeDelete: true},
		&core.RelationField{Name: "author", MaxSelect: 1, CollectionId: users.Id},
	)
	withAutodates(comments)
	comments.AddIndex("idx_comments_client", false, "client, created", "")
	comments.AddIndex("idx_comments_touch", false, "touch", "")
	comments.ListRule = rule(access.OwnClient)
	comments.ViewRule = comments.ListRule
	comments.CreateRule = rule(access.StaffWithScope)
	ownManualComment := `kind = "manual" && (` + access.ServiceManager + ` || (` + access.PointManager + ` && client.point = @request.auth.point && author = @request.auth.id))`
	comments.UpdateRule = rule(ownManualComment)
	comments.DeleteRule = rule(ownManualComment)
	if err := app.Save(comments); err != nil {
		return err
	}

	tickets := core.NewBaseCollection("tickets")
	tickets.Fields.Add(
		&core.RelationField{Name: "client", Required: true, MaxSelect: 1, CollectionId: clients.Id},
		&core.TextField{Name: "title", Required: true, Max: 300, Presentable: true},
		&core.SelectField{Name: "status", MaxSelect: 1, Values: ticketStatuses, Help: "An open ticket holds the client out of standard occasions."},
		&core.DateField{Name: "resolved_at", Help: "Set by the server when the ticket is resolved."},
	)
	withAutodates(tickets)
	tickets.AddIndex("idx_tickets_client", false, "client, status", "")
	setServiceManagedRules(tickets)
	if err := app.Save(tickets); err != nil {
		return err
	}

	holds := core.NewBaseCollection("holds")
	holds.Fields.Add(
		&core.RelationField{Name: "client", Required: true, MaxSelect: 1, CollectionId: clients.Id},
		&core.SelectField{Name: "reason", MaxSelect: 1, Values: holdReasons},
		&core.TextField{Name: "note", Max: 1000},
		&core.DateField{Name: "until", Help: "Last moment of the hold; empty = until lifted (deleted)."},
		&core.RelationField{Name: "ticket", MaxSelect: 1, CollectionId: tickets.Id, CascadeDelete: true},
		&core.RelationField{Name: "occasion", MaxSelect: 1, CollectionId: occasions.Id, CascadeDelete: true, Help: "Hold only for this occasion (e.g. the client declined that offer)."},
	)
	withAutodates(holds)
	holds.AddIndex("idx_holds_client", false, "client, until", "")
	holds.AddIndex("idx_holds_ticket", false, "ticket", "")
	setServiceManagedRules(holds)
	if err := app.Save(holds); err != nil {
		return err
	}

	cadences := core.NewBaseCollection("cadences")
	cadences.Fields.Add(
		&core.SelectField{Name: "segment", Required: true, MaxSelect: 1, Values: segments, Presentable: true},
		&core.NumberField{Name: "interval_days", Required: true, OnlyInt: true, Min: types.Pointer(1.0), Max: types.Pointer(3650.0), Help: "A touch is due after this many days since the last done touch."},
		&core.NumberField{Name: "standard_per_mandatory", Min: types.Pointer(0.0), Max: types.Pointer(100.0), Help: "Target standard touches per mandatory one (default 2)."},
	)
	withAutodates(cadences)
	cadences.AddIndex("idx_cadences_segment", true, "segment", "")
	cadences.ListRule = rule(access.Staff)
	cadences.ViewRule = cadences.ListRule
	cadences.CreateRule = rule(access.ServiceManager)
	cadences.UpdateRule = rule(access.ServiceManager)
	cadences.DeleteRule = rule(access.ServiceManager)
	if err := app.Save(cadences); err != nil {
		return err
	}
	for _, c := range defaultCadences {
		record := core.NewRecord(cadences)
		record.Set("segment", c.segment)
		record.Set("interval_days", c.interval)
		record.Set("standard_per_mandatory", 2)
		if err := app.Save(record); err != nil {
			return err
		}
	}

	return nil
}

// extendUsers turns PocketBase's default "users" collection into the staff
// directory: name, role and point, no public sign-up, and rules that keep a
// point manager from promoting or moving themselves.
func extendUsers(app core.App, points *core.Collection) error {
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}

	if name, ok := users.Fields.GetByName("name").(*core.TextField); ok {
		name.Required = true
		name.Presentable = true
	}
	users.Fields.Add(
		&core.SelectField{Name: "role", Required: true, MaxSelect: 1, Values: roles, Help: "service_manager sees every point; point_manager only their own."},
		&core.RelationField{Name: "point", MaxSelect: 1, CollectionId: points.Id, Help: "Required for point managers."},
	)
	users.AddIndex("idx_users_point", false, "point, role", "")

	self := `id = @request.auth.id`
	keepRoleAndPoint := `(@request.body.role:isset = false || @request.body.role = role) && (@request.body.point:isset = false || @request.body.point = point)`
	managedByServiceManager := access.ServiceManager + ` && role = "point_manager" && (@request.body.role:isset = false || @request.body.role = "point_manager")`

	users.ListRule = rule(self + ` || ` + access.ServiceManager + ` || (` + access.PointManager + ` && (point = @request.auth.point || role = "service_manager"))`)
	users.ViewRule = users.ListRule
	users.CreateRule = rule(access.ServiceManager + ` && @request.body.role = "point_manager"`)
	users.UpdateRule = rule(`(` + self + ` && ` + keepRoleAndPoint + `) || (` + managedByServiceManager + `)`)
	users.DeleteRule = rule(access.ServiceManager + ` && role = "point_manager"`)
	users.ManageRule = rule(access.ServiceManager + ` && role = "point_manager"`)
	users.AuthRule = rule(`role != ""`)
	users.OAuth2.Enabled = false
	users.OTP.Enabled = false

	return app.Save(users)
}

func dropCollections(app core.App) error {
	for _, name := range []string{"cadences", "holds", "tickets", "comments", "touches", "occasions", "clients"} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		if err := app.Delete(c); err != nil {
			return err
		}
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	users.Fields.RemoveByName("role")
	users.Fields.RemoveByName("point")
	users.RemoveIndex("idx_users_point")
	if err := app.Save(users); err != nil {
		return err
	}
	points, err := app.FindCollectionByNameOrId("points")
	if err != nil {
		return err
	}
	return app.Delete(points)
}

// setServiceManagedRules gives a client-scoped collection read access for
// the client's point and write access for service managers only.
func setServiceManagedRules(c *core.Collection) {
	c.ListRule = rule(access.OwnClient)
	c.ViewRule = c.ListRule
	c.CreateRule = rule(access.ServiceManager)
	c.UpdateRule = rule(access.ServiceManager)
	c.DeleteRule = rule(access.ServiceManager)
}

func withAutodates(c *core.Collection) {
	c.Fields.Add(
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
}

func rule(expr string) *string {
	return types.Pointer(expr)
}
