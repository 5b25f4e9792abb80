package demo

import (
	"fmt"
	"time"
)

// eventOccasions are the demo's event-triggered occasions (SPEC §4.9):
// mandatory follow-ups of what the ERP records, in both languages (the
// default text is Russian, a blank line, English, as in occasionPlan).
func (s *seeder) eventOccasions() []occasionSpec {
	return []occasionSpec{
		{key: "acceptance", fields: map[string]any{
			"title":       "Проверка приёмки через 2 дня после отгрузки / Check acceptance 2 days after shipment",
			"kind":        "mandatory",
			"category":    "notice",
			"trigger":     "event",
			"event_kind":  "shipment",
			"offset_days": 2,
			"template": "{{contact}}, добрый день! Отгрузка для {{client}} от {{date}} должна была прийти — всё ли принято без замечаний? Если что-то не так, отвечу сразу. {{manager}}, {{point}}\n\n" +
				"Hello {{contact}}, the shipment for {{client}} of {{date}} should have arrived: was everything accepted without issues? If not, I will sort it out at once. {{manager}}, {{point}}",
		}},
		{key: "maintenance_due", fields: map[string]any{
			"title":       "Напоминание о ТО через 11 месяцев после установки / Maintenance reminder 11 months after installation",
			"kind":        "mandatory",
			"category":    "notice",
			"trigger":     "event",
			"event_kind":  "installation",
			"offset_days": 335,
			"template": "{{contact}}, оборудованию {{client}}, установленному {{date}}, скоро год — пора запланировать техническое обслуживание. Подобрать удобную дату? {{manager}}\n\n" +
				"{{contact}}, the equipment installed at {{client}} on {{date}} is nearly a year old: time to book its maintenance. Shall I find a date that suits you? {{manager}}",
		}},
	}
}

// seedEvents writes the ERP's side of the demo: shipments of the last
// weeks, installations of the last two years and a few purchases (each
// holding the client out of what was bought, SPEC §4.8), with source erp
// and an external id as an automation would send them; then the two event
// occasions. A few clients of every point are inside today's windows, so
// both follow-up worklists have rows.
func (s *seeder) seedEvents() error {
	for _, spec := range s.eventOccasions() {
		spec.fields["repeat"] = "none"
		record, err := s.create("occasions", spec.fields)
		if err != nil {
			return err
		}
		s.occasions[spec.key] = record
		if err := s.seedTemplates(spec.key, record); err != nil {
			return err
		}
	}

	n := 0
	event := func(c *demoClient, kind string, day time.Time, note string, extra map[string]any) error {
		n++
		fields := map[string]any{
			"client": c.record.Id, "kind": kind, "date": day, "note": note,
			"source": "erp", "external_id": fmt.Sprintf("%s-%d-%05d", kindCode[kind], day.Year(), 1000+n),
		}
		for k, v := range extra {
			fields[k] = v
		}
		_, err := s.create("events", fields)
		return err
	}
	perPoint := map[*demoPoint]int{}
	for i, c := range s.clients {
		k := perPoint[c.point]
		perPoint[c.point]++
		order := fmt.Sprintf("№ %d", 24000+i*7)
		if !c.russian {
			order = fmt.Sprintf("order %d", 24000+i*7)
		}
		switch {
		case k < 6: // in the acceptance window today: shipped 2–15 days ago
			if err := event(c, "shipment", s.day(-2-k*2), order, nil); err != nil {
				return err
			}
		case k < 10: // in the maintenance window today: installed 335–348 days ago
			if err := event(c, "installation", s.day(-335-(k-6)*3), order, nil); err != nil {
				return err
			}
		case k%5 == 0: // older and coming shipments and installations
			if err := event(c, "shipment", s.day(-20-s.r.IntN(60)), order, nil); err != nil {
				return err
			}
			if err := event(c, "installation", s.day(-30-s.r.IntN(600)), order, nil); err != nil {
				return err
			}
		case k%11 == 1: // a purchase of the key offer: held out of it for a year
			if offer := s.occasions["key_offer"]; offer != nil && !s.quiet[c.record.Id] {
				if err := event(c, "purchase", s.day(-s.r.IntN(200)), order, map[string]any{"occasion": offer.Id}); err != nil {
					return err
				}
			}
		case k%7 == 3:
			if err := event(c, "order", s.day(-s.r.IntN(30)), order, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// kindCode starts the demo's external ids, as an ERP numbers documents.
var kindCode = map[string]string{
	"order": "ORD", "shipment": "SHP", "delivery": "DLV", "installation": "INS",
	"maintenance": "MNT", "payment": "PAY", "purchase": "INV", "other": "DOC",
}
