package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"touchbase/fake"
)

// pointSpec describes a demo point and how its clients look.
type pointSpec struct {
	name, timezone string
	country        string // ISO 3166-1 alpha-2, for national phone numbers
	russian        bool   // Russian companies, names and texts; else British
	clients        int    // how many clients it gets
	landline       string // area code of its office phones
	mobiles        []string
	suffix         string // telegram handle suffix, e.g. "msk"
}

var pointSpecs = []pointSpec{
	{name: "Москва — Центр", timezone: "Europe/Moscow", country: "RU", russian: true, clients: 120, landline: "495", mobiles: []string{"916", "925", "903", "985"}, suffix: "msk"},
	{name: "Санкт-Петербург", timezone: "Europe/Moscow", country: "RU", russian: true, clients: 100, landline: "812", mobiles: []string{"921", "911", "981", "952"}, suffix: "spb"},
	{name: "London", timezone: "Europe/London", country: "GB", russian: false, clients: 80, suffix: "uk"},
}

// staffSpec is a demo staff account; point indexes pointSpecs (-1: none).
type staffSpec struct {
	email, name, role string
	point             int
}

var staffSpecs = []staffSpec{
	{"service@touchbase.demo", "Марина Соколова", "service_manager", -1},
	{"olga@touchbase.demo", "Ольга Смирнова", "point_manager", 0},
	{"dmitry@touchbase.demo", "Дмитрий Орлов", "point_manager", 0},
	{"ivan@touchbase.demo", "Иван Петров", "point_manager", 1},
	{"anna@touchbase.demo", "Анна Кузнецова", "point_manager", 1},
	{"james@touchbase.demo", "James Carter", "point_manager", 2},
	{"emma@touchbase.demo", "Emma Wilson", "point_manager", 2},
}

// demoPoint is a saved point with its managers.
type demoPoint struct {
	spec     pointSpec
	record   *core.Record
	managers []*core.Record
}

// demoClient is a saved client with what the touch planner needs.
type demoClient struct {
	record  *core.Record
	contact *core.Record // the primary contact
	point   *demoPoint
	manager *core.Record // nil when the client has no account manager
	russian bool
}

// seeder holds the state of one Seed run; app is the transaction.
type seeder struct {
	app core.App
	r   *rand.Rand
	now time.Time

	staff            []staffSpec
	points           []*demoPoint
	service          *core.Record
	clients          []*demoClient
	occasions        map[string]*core.Record
	superuserCreated bool

	// clients that already have a ticket or a hold; they are picked among
	// clients without touches, so no mark contradicts the suppression rule
	quiet map[string]bool
}

func (s *seeder) run() error {
	s.occasions = map[string]*core.Record{}
	s.quiet = map[string]bool{}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"points", s.seedPoints},
		{"staff", s.seedStaff},
		{"superuser", s.seedSuperuser},
		{"clients", s.seedClients},
		{"occasions", s.seedOccasions},
		{"touches", s.seedTouches},
		{"outcomes", s.seedOutcomes},
		{"comments", s.seedManualComments},
		{"tickets", s.seedTickets},
		{"holds", s.seedHolds},
		{"events", s.seedEvents},
	}
	for _, step := range steps {
		if err := step.fn(); err != nil {
			return fmt.Errorf("%s: %w", step.name, err)
		}
	}
	return nil
}

// newRecord makes a record of collection with fields set.
func (s *seeder) newRecord(collection string, fields map[string]any) (*core.Record, error) {
	c, err := s.app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	record := core.NewRecord(c)
	for k, v := range fields {
		record.Set(k, v)
	}
	return record, nil
}

// create makes and saves a record.
func (s *seeder) create(collection string, fields map[string]any) (*core.Record, error) {
	record, err := s.newRecord(collection, fields)
	if err != nil {
		return nil, err
	}
	if err := s.app.Save(record); err != nil {
		return nil, fmt.Errorf("%s %v: %w", collection, fields["name"], err)
	}
	return record, nil
}

// backdate sets the created/updated dates of a new record, which
// PocketBase keeps when they were set explicitly.
func backdate(record *core.Record, at time.Time) {
	d := dateTime(at)
	record.SetRaw("created", d)
	record.SetRaw("updated", d)
}

func dateTime(t time.Time) types.DateTime {
	d, _ := types.ParseDateTime(t.UTC())
	return d
}

// today is the server's current UTC calendar date; day(n) is n days later.
func (s *seeder) today() time.Time {
	y, m, d := s.now.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *seeder) day(offset int) time.Time { return s.today().AddDate(0, 0, offset) }

// localMoment is a working-hours moment of the calendar date day in the
// point's zone, never later than now.
func (s *seeder) localMoment(day time.Time, tz string) time.Time {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), 9+s.r.IntN(9), s.r.IntN(60), s.r.IntN(60), 0, loc)
	if t.After(s.now) {
		t = s.now.Add(-time.Duration(1+s.r.IntN(90)) * time.Minute)
	}
	return t
}

func (s *seeder) seedPoints() error {
	for _, spec := range pointSpecs {
		record, err := s.create("points", map[string]any{"name": spec.name, "timezone": spec.timezone, "country": spec.country})
		if err != nil {
			return err
		}
		s.points = append(s.points, &demoPoint{spec: spec, record: record})
	}
	return nil
}

func (s *seeder) seedStaff() error {
	users, err := s.app.FindCachedCollectionByNameOrId("users")
	if err != nil {
		return err
	}
	for _, spec := range staffSpecs {
		record := core.NewRecord(users)
		record.SetEmail(spec.email)
		record.SetPassword(Password)
		record.SetVerified(true)
		record.SetEmailVisibility(true)
		record.Set("name", spec.name)
		record.Set("role", spec.role)
		if spec.point >= 0 {
			record.Set("point", s.points[spec.point].record.Id)
		}
		if err := s.app.Save(record); err != nil {
			return fmt.Errorf("user %s: %w", spec.email, err)
		}
		if spec.point >= 0 {
			p := s.points[spec.point]
			p.managers = append(p.managers, record)
		} else {
			s.service = record
		}
		s.staff = append(s.staff, spec)
	}
	return nil
}

// seedSuperuser creates the demo dashboard account unless the data dir
// already has a superuser.
func (s *seeder) seedSuperuser() error {
	n, err := countSuperusers(s.app)
	if err != nil || n > 0 {
		return err
	}
	c, err := s.app.FindCachedCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	record := core.NewRecord(c)
	record.SetEmail(SuperuserEmail)
	record.SetPassword(Password)
	record.SetVerified(true)
	if err := s.app.Save(record); err != nil {
		return err
	}
	s.superuserCreated = true
	return nil
}

var telegramPattern = regexp.MustCompile(`^@?[A-Za-z][A-Za-z0-9_]{4,31}$`)

// seedClients creates every point's clients. A few of them get a birthday
// or an anniversary in the coming weeks, so the personal occasions have
// rows on any day the demo is created; one contact was born on 29 February.
func (s *seeder) seedClients() error {
	for pi, p := range s.points {
		n := p.spec.clients
		contacts := make([]person, n)
		for i := range contacts {
			if p.spec.russian {
				contacts[i] = ruPerson(s.r)
			} else {
				contacts[i] = enPerson(s.r)
			}
		}
		var companies []company
		if p.spec.russian {
			companies = ruCompanies(s.r, n, contacts)
		} else {
			companies = enCompanies(s.r, n, contacts)
		}

		for i := range n {
			fields := s.clientFields(p, companies[i], contacts[i])

			// personal dates near today, spread over the points
			switch {
			case i%9 == 4 && i < 60: // birthdays from 6 days ago to 20 days ahead
				offset := -6 + (i*7+pi*5)%27
				fields["contact_birthday"] = s.day(offset).AddDate(-(28 + s.r.IntN(33)), 0, 0)
			case i%11 == 5 && i < 60: // anniversaries from 5 days ago to 20 days ahead
				offset := -5 + (i*5+pi*3)%26
				fields["since"] = s.day(offset).AddDate(-(1 + s.r.IntN(10)), 0, 0)
				fields["stage"] = "regular"
			}
			if pi == 0 && i == 7 {
				fields["contact_birthday"] = time.Date(1988, time.February, 29, 0, 0, 0, 0, time.UTC)
			}

			// the client's contact fields go to its primary contact
			primary := map[string]any{"role": "decision_maker", "position": s.position(p, "decision_maker"), "primary": true}
			for old, field := range clientContactFields {
				if v, ok := fields[old]; ok {
					primary[field] = v
					delete(fields, old)
				}
			}
			record, err := s.create("clients", fields)
			if err != nil {
				return err
			}
			primary["client"] = record.Id
			contact, err := s.create("contacts", primary)
			if err != nil {
				return err
			}
			if err := s.seedColleagues(p, record, companies[i]); err != nil {
				return err
			}
			var manager *core.Record
			if id := record.GetString("manager"); id != "" {
				for _, m := range p.managers {
					if m.Id == id {
						manager = m
					}
				}
			}
			s.clients = append(s.clients, &demoClient{record: record, contact: contact, point: p, manager: manager, russian: p.spec.russian})
		}
	}
	return nil
}

// clientFields draws one client: segment, stage, contact, handles, dates,
// tags and manager.
func (s *seeder) clientFields(p *demoPoint, c company, contact person) map[string]any {
	r := s.r
	segment := fake.Weighted(r, []string{"A+", "A", "B", "C", "D"}, []int{4, 11, 25, 40, 20})
	stage := fake.Weighted(r, []string{"prospect", "new", "regular", "sleeping", "lost"}, []int{8, 14, 58, 12, 8})
	if segment == "A+" || segment == "A" {
		stage = fake.Weighted(r, []string{"new", "regular", "sleeping"}, []int{10, 85, 5})
	}

	var channel string
	if p.spec.russian {
		channel = fake.Weighted(r, []string{"telegram", "whatsapp", "email", "phone", "meeting", "other"}, []int{34, 26, 20, 12, 5, 3})
	} else {
		channel = fake.Weighted(r, []string{"email", "whatsapp", "phone", "meeting", "telegram", "other"}, []int{40, 25, 20, 10, 4, 1})
	}

	fields := map[string]any{
		"name":         c.name,
		"point":        p.record.Id,
		"segment":      segment,
		"stage":        stage,
		"contact_name": contact.name,
		"channel":      channel,
	}

	// handles: the preferred channel always has one, the others sometimes
	if channel == "phone" || r.IntN(10) < 9 {
		fields["phone"] = s.landline(p)
	}
	if channel == "whatsapp" || r.IntN(4) == 0 {
		fields["whatsapp"] = s.mobile(p)
	}
	if channel == "email" || r.IntN(10) < 8 {
		local := contact.latinFirst[:1] + "." + contact.latinLast
		if c.soleTrader {
			local = contact.latinFirst + "." + contact.latinLast
		}
		fields["email"] = local + "@" + c.latin + ".example"
	}
	if channel == "telegram" || r.IntN(10) < 3 {
		handle := "@" + c.latin
		if c.soleTrader {
			handle = "@" + contact.latinFirst + "_" + contact.latinLast
		}
		if r.IntN(3) == 0 {
			handle += "_" + p.spec.suffix
		}
		if len(handle) > 32 {
			handle = handle[:32]
		}
		if telegramPattern.MatchString(handle) {
			fields["telegram"] = handle
		} else if channel == "telegram" {
			fields["channel"] = "phone"
			fields["phone"] = s.landline(p)
		}
	}

	// personal dates
	if r.IntN(100) < 85 {
		fields["contact_birthday"] = time.Date(1962+r.IntN(35), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	}
	switch stage {
	case "prospect":
	case "new":
		fields["since"] = s.day(-(20 + r.IntN(280)))
	default:
		fields["since"] = s.day(-(400 + r.IntN(11*365)))
	}

	// free labels
	pool := enTags
	if p.spec.russian {
		pool = ruTags
	}
	tags := []string{}
	if segment == "A+" || (segment == "A" && r.IntN(2) == 0) {
		tags = append(tags, "vip")
	}
	for range r.IntN(3) {
		if tag := fake.Pick(r, pool); !slices.Contains(tags, tag) {
			tags = append(tags, tag)
		}
	}
	fields["tags"] = tags

	if r.IntN(4) == 0 {
		if p.spec.russian {
			fields["notes"] = fake.Pick(r, ruNotes)
		} else {
			fields["notes"] = fake.Pick(r, enNotes)
		}
	}

	// most clients have an account manager of their point
	switch n := r.IntN(100); {
	case n < 52:
		fields["manager"] = p.managers[0].Id
	case n < 93:
		fields["manager"] = p.managers[1].Id
	}
	return fields
}

// landline is an office number. Russian ones start the local part with 0
// (never assigned to subscribers); British ones are in Ofcom's range for
// drama (020 7946 0xxx), so no demo link ever rings a real person.
func (s *seeder) landline(p *demoPoint) string {
	if p.spec.russian {
		return fmt.Sprintf("+7 (%s) 0%s-%s-%s", p.spec.landline, fake.Digits(s.r, 2), fake.Digits(s.r, 2), fake.Digits(s.r, 2))
	}
	return "+44 20 7946 0" + fake.Digits(s.r, 3)
}

// mobile is a messenger number (British ones in Ofcom's 07700 900xxx range).
func (s *seeder) mobile(p *demoPoint) string {
	if p.spec.russian {
		return fmt.Sprintf("+7 %s 0%s-%s-%s", fake.Pick(s.r, p.spec.mobiles), fake.Digits(s.r, 2), fake.Digits(s.r, 2), fake.Digits(s.r, 2))
	}
	return "+44 7700 900" + fake.Digits(s.r, 3)
}

// authorFor is the point manager who marks a touch of c: the account
// manager, or a colleague of the point when the client has none.
func (s *seeder) authorFor(c *demoClient) *core.Record {
	if c.manager != nil {
		return c.manager
	}
	return fake.Pick(s.r, c.point.managers)
}

// seedManualComments writes notes managers left on client cards.
func (s *seeder) seedManualComments() error {
	ru := []string{
		"Звонил, просит перезвонить после 15-го — ждут решения по бюджету.",
		"Встретились на выставке, интересуются новой линейкой.",
		"Отправил обновлённый прайс-лист, ждём обратной связи.",
		"Сменился ЛПР: теперь закупками занимается коммерческий директор.",
		"Просили счёт на предоплату 50%.",
		"Довольны последней поставкой, обещали рекомендовать нас партнёрам.",
	}
	en := []string{
		"Called; they asked to follow up after their board meeting.",
		"Met at the trade show, keen on the new range.",
		"Sent the updated price list, waiting for feedback.",
		"New decision maker: the operations director now signs off purchases.",
		"Happy with the last delivery; offered to act as a reference.",
	}
	for i := range 18 {
		c := s.clients[(i*37+11)%len(s.clients)]
		text := en[i%len(en)]
		if c.russian {
			text = ru[i%len(ru)]
		}
		author := s.authorFor(c)
		if i%6 == 0 {
			author = s.service
		}
		record, err := s.newRecord("comments", map[string]any{
			"client": c.record.Id,
			"text":   text,
			"kind":   "manual",
			"author": author.Id,
		})
		if err != nil {
			return err
		}
		backdate(record, s.localMoment(s.day(-s.r.IntN(60)), c.point.spec.timezone))
		if err := s.app.Save(record); err != nil {
			return err
		}
	}
	return nil
}

// seedTickets opens a few service problems and resolves others, the way
// staff would: every ticket is opened (the server holds the client and
// notes it on the card), the older ones are resolved later (the server lifts
// the hold). The server's hold and card notes are then dated like the
// ticket. The clients are picked among those without touches, so no mark
// contradicts the suppression rule.
func (s *seeder) seedTickets() error {
	tickets := []struct {
		ru, en string
		open   bool
	}{
		{"Задержка поставки по заказу № 4521", "Delivery of order 4521 is late", true},
		{"Не проходит вход в личный кабинет", "Cannot sign in to the client portal", true},
		{"Ошибка в счёте-фактуре за октябрь", "Wrong VAT on the October invoice", true},
		{"Брак в партии упаковки", "Defective batch of packaging", true},
		{"Не пришли закрывающие документы", "Closing documents not received", false},
		{"Курьер не дозвонился до склада", "Courier could not reach the warehouse", false},
		{"Неверный адрес доставки в заказе", "Wrong delivery address on the order", false},
		{"Сбой синхронизации с 1С", "Invoices not syncing with Xero", false},
	}
	for i, t := range tickets {
		c, err := s.pickQuietClient(i*41+3, func(c *demoClient) bool { return c.record.GetString("stage") != "lost" })
		if err != nil {
			return err
		}
		title := t.en
		if c.russian {
			title = t.ru
		}
		opened := s.localMoment(s.day(-(1 + s.r.IntN(12))), c.point.spec.timezone)
		if !t.open {
			opened = s.localMoment(s.day(-(15 + s.r.IntN(40))), c.point.spec.timezone)
		}

		ticket, err := s.newRecord("tickets", map[string]any{"client": c.record.Id, "title": title, "status": "open"})
		if err != nil {
			return err
		}
		backdate(ticket, opened)
		if err := s.dateServerNotes(c, opened, func() error { return s.app.Save(ticket) }); err != nil {
			return fmt.Errorf("ticket %q: %w", title, err)
		}
		if t.open {
			continue
		}

		resolved := opened.Add(time.Duration(24*(2+s.r.IntN(6))+s.r.IntN(8)) * time.Hour)
		ticket.Set("status", "resolved")
		ticket.Set("resolved_at", resolved)
		ticket.SetRaw("updated", dateTime(resolved))
		if err := s.dateServerNotes(c, resolved, func() error { return s.app.Save(ticket) }); err != nil {
			return fmt.Errorf("resolving ticket %q: %w", title, err)
		}
	}
	return nil
}

// dateServerNotes runs save and dates the holds and system comments the
// server wrote for client c meanwhile as of at, so the client card reads in
// order.
func (s *seeder) dateServerNotes(c *demoClient, at time.Time, save func() error) error {
	before := map[string]map[string]bool{"holds": {}, "comments": {}}
	for collection := range before {
		records, err := s.app.FindAllRecords(collection, dbx.HashExp{"client": c.record.Id})
		if err != nil {
			return err
		}
		for _, r := range records {
			before[collection][r.Id] = true
		}
	}
	if err := save(); err != nil {
		return err
	}
	d := dateTime(at).String()
	for collection, known := range before {
		records, err := s.app.FindAllRecords(collection, dbx.HashExp{"client": c.record.Id})
		if err != nil {
			return err
		}
		for _, r := range records {
			if known[r.Id] || (collection == "comments" && r.GetString("kind") != "system") {
				continue
			}
			_, err := s.app.DB().Update(collection, dbx.Params{"created": d, "updated": d}, dbx.HashExp{"id": r.Id}).Execute()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// seedHolds writes the three kinds of do-not-contact reasons besides
// tickets: a declined offer (one occasion only), a request for silence
// that ends in 30 days, and a hold that has already expired.
func (s *seeder) seedHolds() error {
	offer := s.occasions["key_offer"]
	declined, err := s.pickQuietClient(5, func(c *demoClient) bool {
		seg := c.record.GetString("segment")
		return seg == "A+" || seg == "A"
	})
	if err != nil {
		return err
	}
	requested, err := s.pickQuietClient(77, func(c *demoClient) bool { return c.record.GetString("stage") == "regular" })
	if err != nil {
		return err
	}
	expired, err := s.pickQuietClient(150, func(c *demoClient) bool { return true })
	if err != nil {
		return err
	}

	holds := []struct {
		client   *demoClient
		fields   map[string]any
		ruNote   string
		enNote   string
		createdA int
	}{
		{declined, map[string]any{"reason": "declined", "occasion": offer.Id},
			"Отказались от спецпредложения: бюджет на 2027 год ещё не утверждён.",
			"Declined the key-client offer: the 2027 budget is not approved yet.", -4},
		{requested, map[string]any{"reason": "requested", "until": s.day(30)},
			"Просили не беспокоить до конца аудита.",
			"Asked for no contact until their audit is over.", -2},
		{expired, map[string]any{"reason": "bought", "until": s.day(-5)},
			"Купили годовую лицензию — пауза в предложениях на месяц.",
			"Bought the annual licence: no offers for a month.", -35},
	}
	for _, h := range holds {
		h.fields["client"] = h.client.record.Id
		h.fields["note"] = h.enNote
		if h.client.russian {
			h.fields["note"] = h.ruNote
		}
		record, err := s.newRecord("holds", h.fields)
		if err != nil {
			return err
		}
		backdate(record, s.localMoment(s.day(h.createdA), h.client.point.spec.timezone))
		if err := s.app.Save(record); err != nil {
			return fmt.Errorf("hold %s: %w", h.fields["reason"], err)
		}
	}
	return nil
}

// pickQuietClient returns the first client from position start on that
// has no standard touch, no ticket and no hold yet and satisfies ok, and
// marks it quiet.
func (s *seeder) pickQuietClient(start int, ok func(*demoClient) bool) (*demoClient, error) {
	for i := range s.clients {
		c := s.clients[(start+i)%len(s.clients)]
		if s.quiet[c.record.Id] || !ok(c) {
			continue
		}
		n, err := s.app.CountRecords("touches", dbx.HashExp{"client": c.record.Id})
		if err != nil {
			return nil, err
		}
		if n > 0 {
			continue
		}
		s.quiet[c.record.Id] = true
		return c, nil
	}
	return nil, errors.New("no client left without touches for a ticket or hold")
}

// clientContactFields map the contact fields clientFields draws to the
// primary contact's fields.
var clientContactFields = map[string]string{
	"contact_name": "name", "contact_birthday": "birthday", "channel": "channel",
	"telegram": "telegram", "whatsapp": "whatsapp", "phone": "phone", "email": "email",
}

// contactRoles are the roles of a client's other people, and their
// positions in both languages.
var contactRoles = []struct{ role, ru, en string }{
	{"decision_maker", "Генеральный директор", "Managing Director"},
	{"finance", "Главный бухгалтер", "Finance Manager"},
	{"technical", "Главный инженер", "Technical Lead"},
	{"user", "Менеджер по закупкам", "Purchasing Manager"},
	{"influencer", "Коммерческий директор", "Commercial Director"},
	{"assistant", "Офис-менеджер", "Office Manager"},
}

// position names a job title for role in the point's language.
func (s *seeder) position(p *demoPoint, role string) string {
	for _, r := range contactRoles {
		if r.role == role {
			if p.spec.russian {
				return r.ru
			}
			return r.en
		}
	}
	return ""
}

// seedColleagues adds one or two more people to a client (so clients have
// two or three contacts), with other roles, some handles and birthdays;
// now and then one of them has left the company (archived).
func (s *seeder) seedColleagues(p *demoPoint, client *core.Record, c company) error {
	r := s.r
	for k := range 1 + r.IntN(2) {
		var who person
		if p.spec.russian {
			who = ruPerson(r)
		} else {
			who = enPerson(r)
		}
		role := contactRoles[1+r.IntN(len(contactRoles)-1)]
		fields := map[string]any{
			"client":   client.Id,
			"name":     who.name,
			"role":     role.role,
			"position": s.position(p, role.role),
		}
		if r.IntN(10) < 7 {
			fields["email"] = strings.ToLower(who.latinFirst[:1]+"."+who.latinLast) + "@" + c.latin + ".example"
			fields["channel"] = "email"
		}
		if r.IntN(10) < 4 {
			fields["whatsapp"] = s.mobile(p)
			fields["channel"] = "whatsapp"
		}
		if r.IntN(100) < 60 {
			fields["birthday"] = time.Date(1962+r.IntN(35), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		}
		if k == 1 && r.IntN(6) == 0 {
			fields["archived"] = true
		}
		if _, err := s.create("contacts", fields); err != nil {
			return err
		}
	}
	return nil
}
