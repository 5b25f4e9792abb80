package testapp

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/pocketbase/pocketbase/core"
)

// seed writes the fixture: two points, staff of both roles, three clients
// and occasions covering the eligibility cases.
func seed(app core.App) error {
	today := time.Now().UTC()
	day := func(offset int) string { return today.AddDate(0, 0, offset).Format("2006-01-02") + " 00:00:00.000Z" }

	rows := []row{
		{"points", P1, map[string]any{"name": "Moscow", "timezone": "Europe/Moscow", "country": "RU"}},
		{"points", P2, map[string]any{"name": "London", "timezone": "Europe/London", "country": "GB"}},
		{"points", P3, map[string]any{"name": "Kazan", "timezone": "Europe/Moscow", "country": "RU"}},

		{core.CollectionNameSuperusers, Superuser, map[string]any{"email": "admin@test.local"}},
		{"users", SM, map[string]any{"email": "sm@test.local", "name": "Sergey Service", "role": "service_manager"}},
		{"users", PM1, map[string]any{"email": "pm1@test.local", "name": "Olga Moscow", "role": "point_manager", "point": P1}},
		{"users", PM1b, map[string]any{"email": "pm1b@test.local", "name": "Pavel Moscow", "role": "point_manager", "point": P1}},
		{"users", PM2, map[string]any{"email": "pm2@test.local", "name": "Liam London", "role": "point_manager", "point": P2}},

		{"clients", C1, map[string]any{"name": "ООО Ромашка", "point": P1, "manager": PM1, "segment": "A", "stage": "regular", "tags": []string{"vip"}}},
		{"clients", C1b, map[string]any{"name": "ИП Кузнецов", "point": P1, "segment": "C", "stage": "new"}},
		{"clients", C1c, map[string]any{"name": "Test client", "point": P1}},
		{"clients", C2, map[string]any{"name": "Acme Ltd", "point": P2, "manager": PM2, "segment": "B", "stage": "regular"}},

		{"contacts", CT1, map[string]any{"client": C1, "name": "Ирина Петрова", "role": "decision_maker", "position": "Генеральный директор",
			"channel": "telegram", "telegram": "@romashka_ltd", "phone": "+7 495 123-45-67", "primary": true}},
		{"contacts", CT1b, map[string]any{"client": C1, "name": "Алексей Смирнов", "role": "finance", "position": "Бухгалтер", "email": "buh@romashka.test"}},
		{"contacts", CT2, map[string]any{"client": C2, "name": "John Smith", "role": "decision_maker", "email": "john@acme.test", "whatsapp": "+44 7700 900123", "primary": true}},

		{"occasions", OccStandard, map[string]any{"title": "Useful article", "kind": "standard", "category": "content",
			"template": "Hello {{contact}}, an article for {{client}}", "starts": day(-10), "ends": day(30)}},
		{"occasions", OccMandatory, map[string]any{"title": "Maintenance reminder", "kind": "mandatory", "category": "notice", "starts": day(-10)}},
		{"occasions", OccP2Only, map[string]any{"title": "London webinar", "kind": "standard", "category": "event", "points": []string{P2}}},
		{"occasions", OccArchived, map[string]any{"title": "Old promo", "kind": "standard", "category": "promo", "archived": true}},
		{"occasions", OccSegmentA, map[string]any{"title": "Offer for A clients", "kind": "standard", "category": "promo", "segments": []string{"A+", "A"}}},
		{"occasions", OccEnded, map[string]any{"title": "Summer promo", "kind": "standard", "category": "promo", "starts": day(-90), "ends": day(-30)}},

		{"occasion_templates", TplArchivedRu, map[string]any{"occasion": OccArchived, "language": "ru", "weight": 1, "text": "Здравствуйте, {{contact}}!"}},
		{"occasion_templates", TplP2OnlyEn, map[string]any{"occasion": OccP2Only, "language": "en", "weight": 1, "text": "Dear {{contact}}, join our webinar"}},

		{"touches", T1, map[string]any{"client": C1, "occasion": OccMandatory, "status": "done", "channel": "telegram", "author": PM1}},
		{"touches", T2, map[string]any{"client": C2, "occasion": OccMandatory, "status": "done", "channel": "email", "author": PM2}},
		{"comments", CM1, map[string]any{"client": C1, "text": "Prefers calls after 15:00", "kind": "manual", "author": PM1}},
		{"comments", CM2, map[string]any{"client": C2, "text": "Budget approved in Q1", "kind": "manual", "author": PM2}},
		{"tickets", TK1, map[string]any{"client": C1b, "title": "Broken delivery", "status": "open"}},
		{"holds", H1, map[string]any{"client": C1b, "reason": "declined", "occasion": OccSegmentA, "note": "Declined the A offer"}},
		{"digests", DG1, map[string]any{"user": PM2, "day": "2026-01-05", "outcome": "sent"}},
	}

	return app.RunInTransaction(func(txApp core.App) error {
		return saveRows(txApp, rows)
	})
}

type row = struct {
	collection string
	id         string
	fields     map[string]any
}

func saveRows(app core.App, rows []row) error {
	for _, row := range rows {
		collection, err := app.FindCollectionByNameOrId(row.collection)
		if err != nil {
			return err
		}
		record := core.NewRecord(collection)
		record.Id = row.id
		for k, v := range row.fields {
			record.Set(k, v)
		}
		if collection.IsAuth() {
			record.SetPassword(Password)
			record.SetVerified(true)
		}
		if err := app.Save(record); err != nil {
			return err
		}
	}
	return nil
}

// SetContact sets fields of the client's primary contact, creating one
// (named after the client, unless fields name it) when the client has
// none; contact_* keys of the old client fields are accepted too
// (contact_name → name, contact_birthday → birthday).
func SetContact(t testing.TB, app core.App, clientId string, fields map[string]any) *core.Record {
	t.Helper()
	records, err := app.FindRecordsByFilter("contacts", "client = {:c} && primary = true", "", 1, 0, dbx.Params{"c": clientId})
	if err != nil {
		t.Fatal(err)
	}
	var contact *core.Record
	if len(records) > 0 {
		contact = records[0]
	} else {
		collection, err := app.FindCollectionByNameOrId("contacts")
		if err != nil {
			t.Fatal(err)
		}
		client, err := app.FindRecordById("clients", clientId)
		if err != nil {
			t.Fatal(err)
		}
		contact = core.NewRecord(collection)
		contact.Set("client", clientId)
		contact.Set("name", client.GetString("name"))
		contact.Set("primary", true)
	}
	for k, v := range fields {
		switch k {
		case "contact_name":
			k = "name"
		case "contact_birthday":
			k = "birthday"
		}
		contact.Set(k, v)
	}
	if err := app.Save(contact); err != nil {
		t.Fatalf("contact of %s: %v", clientId, err)
	}
	return contact
}
