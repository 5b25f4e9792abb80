package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"touchbase/domain"
	"touchbase/fake"
	"touchbase/occurrence"
)

// occasionSpec is one occasion of the content plan and how many demo
// touches it gets.
type occasionSpec struct {
	key     string
	fields  map[string]any
	points  []int // indexes into pointSpecs; nil = all points
	quota   int   // touches to mark (at most)
	spread  int   // touches are spread over the last spread days of the window
	archive bool  // archived after its touches are written (a past campaign)
}

var ruMonths = []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}

func ruDate(t time.Time) string { return fmt.Sprintf("%d %s", t.Day(), ruMonths[t.Month()-1]) }
func enDate(t time.Time) string { return t.Format("2 January") }

// occasionPlan is the demo content plan: dated campaigns around today (some
// over, some running, some ahead), yearly holidays, the two personal
// occasions, mandatory notices and standard value touches.
func (s *seeder) occasionPlan() []occasionSpec {
	webinar := s.day(16)
	breakfast := s.day(10)
	year := s.today().Year()
	return []occasionSpec{
		{key: "shipment", quota: 18, spread: 21, fields: map[string]any{
			"title":    "Уведомление об отгрузке / Shipment notice",
			"kind":     "mandatory",
			"category": "notice",
			"starts":   s.day(-21), "ends": s.day(30),
			"template": "Здравствуйте, {{contact}}! Заказ {{client}} отгружен, трек-номер пришлю отдельным сообщением. Если понадобится помощь с приёмкой — я на связи. {{manager}}, {{point}}\n\n" +
				"Hello {{contact}}, the order for {{client}} has shipped; I will send the tracking number separately. {{manager}}, {{point}}",
		}},
		{key: "ssl", quota: 10, spread: 10, fields: map[string]any{
			"title":    "Продление SSL-сертификата и домена / SSL and domain renewal",
			"kind":     "mandatory",
			"category": "notice",
			"starts":   s.day(-10), "ends": s.day(20),
			"template": "{{contact}}, напоминаю: SSL-сертификат и домен {{client}} нужно продлить до конца месяца, иначе сайт перестанет открываться. Счёт подготовлю по вашему сигналу. {{manager}}\n\n" +
				"{{contact}}, a reminder: the SSL certificate and domain of {{client}} expire at the end of the month. Say the word and I will send the invoice. {{manager}}",
		}},
		{key: "maintenance", quota: 14, spread: 14, fields: map[string]any{
			"title":    "Плановое ТО оборудования / Scheduled maintenance reminder",
			"kind":     "mandatory",
			"category": "notice",
			"starts":   s.day(-14), "ends": s.day(45),
			"template": "{{contact}}, подошёл срок планового обслуживания оборудования {{client}}. Предлагаю согласовать удобную дату визита инженера. {{manager}}, {{point}}\n\n" +
				"{{contact}}, the equipment at {{client}} is due for its scheduled maintenance. Shall we book an engineer's visit? {{manager}}, {{point}}",
		}},
		{key: "closing_docs", fields: map[string]any{
			"title":    "Закрывающие документы за год / Year-end closing documents",
			"kind":     "mandatory",
			"category": "notice",
			"repeat":   "yearly",
			"starts":   time.Date(year, time.December, 15, 0, 0, 0, 0, time.UTC),
			"ends":     time.Date(year, time.December, 31, 0, 0, 0, 0, time.UTC),
			"template": "{{contact}}, готовим закрывающие документы {{client}} за год. Подскажите, куда удобнее отправить оригиналы? {{manager}}\n\n" +
				"{{contact}}, we are preparing the year-end documents for {{client}}. Where should the originals go? {{manager}}",
		}},
		{key: "article", quota: 24, spread: 18, fields: map[string]any{
			"title":    "Полезная статья: 7 способов сократить расходы на логистику / Article: 7 ways to cut logistics costs",
			"kind":     "standard",
			"category": "content",
			"starts":   s.day(-18), "ends": s.day(12),
			"template": "{{contact}}, добрый день! Попалась толковая статья о том, как сократить расходы на логистику, — сразу подумалось о задачах {{client}}. Делюсь: https://touchbase.example/blog/logistics. {{manager}}\n\n" +
				"Hi {{contact}}, here is a short read on cutting logistics costs that made me think of {{client}}: https://touchbase.example/blog/logistics. {{manager}}",
		}},
		{key: "webinar", quota: 14, spread: 7, fields: map[string]any{
			"title":    "Приглашение на вебинар «Закупки 2027» / Webinar invitation: Procurement 2027",
			"kind":     "standard",
			"category": "event",
			"starts":   s.day(-7), "ends": webinar,
			"template": "{{contact}}, " + ruDate(webinar) + " в 11:00 проводим вебинар «Закупки 2027: как зафиксировать цены». Будет полезно команде {{client}} — прислать ссылку на регистрацию? {{manager}}\n\n" +
				"{{contact}}, on " + enDate(webinar) + " at 11:00 we host a webinar, \"Procurement 2027: locking in prices\". Shall I send {{client}} the registration link? {{manager}}",
		}},
		{key: "key_offer", quota: 8, spread: 10, fields: map[string]any{
			"title":    "Спецпредложение для ключевых клиентов / Key-client offer",
			"kind":     "standard",
			"category": "promo",
			"starts":   s.day(-10), "ends": s.day(20),
			"segments": []string{"A+", "A"},
			"template": "{{contact}}, для ключевых партнёров, таких как {{client}}, до конца месяца действует персональная скидка 12% на годовой контракт. Обсудим? {{manager}}\n\n" +
				"{{contact}}, as one of our key partners, {{client}} gets 12% off an annual contract signed this month. Shall we talk? {{manager}}",
		}},
		{key: "advice", quota: 8, spread: 5, fields: map[string]any{
			"title":    "Попросить совета: новый личный кабинет / Ask for advice: the new client portal",
			"kind":     "standard",
			"category": "advice",
			"starts":   s.day(-5), "ends": s.day(35),
			"template": "{{contact}}, нам важно ваше мнение: мы переделываем личный кабинет. Что в нём должно быть, чтобы {{client}} было удобно? Пять минут разговора очень помогут. {{manager}}\n\n" +
				"{{contact}}, we are rebuilding the client portal and would value your advice: what would make it work for {{client}}? {{manager}}",
		}},
		{key: "spb_breakfast", quota: 6, spread: 6, points: []int{1}, fields: map[string]any{
			"title":    "Бизнес-завтрак в Петербурге",
			"kind":     "standard",
			"category": "event",
			"starts":   s.day(-6), "ends": breakfast,
			"template": "{{contact}}, приглашаю на бизнес-завтрак для клиентов {{point}} " + ruDate(breakfast) + " в 9:30, Невский пр., 28. Будем рады видеть команду {{client}}! {{manager}}",
		}},
		{key: "survey", quota: 30, spread: 36, fields: map[string]any{
			"title":    "Опрос удовлетворённости / Customer satisfaction survey",
			"kind":     "standard",
			"category": "question",
			"starts":   s.day(-80), "ends": s.day(-45),
			"template": "{{contact}}, как вам работа с нами в этом году? Три вопроса, две минуты — ответы помогут нам стать лучше для {{client}}. {{manager}}\n\n" +
				"{{contact}}, how are we doing? Three questions, two minutes, and we will serve {{client}} better. {{manager}}",
		}},
		{key: "summer_sale", quota: 14, spread: 30, archive: true, fields: map[string]any{
			"title":    "Летняя распродажа / Summer sale",
			"kind":     "standard",
			"category": "promo",
			"starts":   s.day(-160), "ends": s.day(-130),
			"template": "{{contact}}, летняя распродажа: до -30% на складские остатки до конца месяца. {{manager}}\n\n" +
				"{{contact}}, summer sale: up to 30% off stock items until the end of the month. {{manager}}",
		}},
		{key: "catalogue", fields: map[string]any{
			"title":    "Новый каталог 2027 / The 2027 catalogue is out",
			"kind":     "standard",
			"category": "news",
			"starts":   s.day(40), "ends": s.day(75),
			"template": "{{contact}}, вышел каталог 2027 года — в нём 40 новинок, которые могут пригодиться {{client}}. Прислать PDF или привезти печатный? {{manager}}\n\n" +
				"{{contact}}, our 2027 catalogue is out with 40 new products {{client}} may like. PDF or a printed copy? {{manager}}",
		}},
		{key: "trade_fair", fields: map[string]any{
			"title":    "Приглашение на выставку «ЛогистТех» / Trade fair invitation",
			"kind":     "standard",
			"category": "event",
			"starts":   s.day(95), "ends": s.day(120),
			"template": "{{contact}}, ждём вас на нашем стенде на выставке «ЛогистТех». Бесплатный билет для {{client}} — по запросу. {{manager}}, {{point}}\n\n" +
				"{{contact}}, come and see us at the LogistTech trade fair; free tickets for {{client}} on request. {{manager}}, {{point}}",
		}},
		{key: "new_year", fields: map[string]any{
			"title":    "С Новым годом! / Season's greetings",
			"kind":     "standard",
			"category": "greeting",
			"repeat":   "yearly",
			"starts":   time.Date(year, time.December, 20, 0, 0, 0, 0, time.UTC),
			"ends":     time.Date(year+1, time.January, 10, 0, 0, 0, 0, time.UTC),
			"template": "{{contact}}, с наступающим Новым годом! Спасибо {{client}} за совместную работу — желаем в новом году смелых планов и спокойных поставок. {{manager}}, {{point}}\n\n" +
				"Season's greetings, {{contact}}! Thank you, {{client}}, for a great year together. {{manager}}, {{point}}",
		}},
		{key: "womens_day", points: []int{0, 1}, fields: map[string]any{
			"title":    "8 Марта",
			"kind":     "standard",
			"category": "greeting",
			"repeat":   "yearly",
			"starts":   time.Date(year, time.March, 1, 0, 0, 0, 0, time.UTC),
			"ends":     time.Date(year, time.March, 8, 0, 0, 0, 0, time.UTC),
			"template": "{{contact}}, поздравляем коллектив {{client}} с 8 Марта! Весеннего настроения и тёплых дней. {{manager}}, {{point}}",
		}},
		{key: "birthday", quota: 40, spread: 7, fields: map[string]any{
			"title":    "День рождения контакта / Contact's birthday",
			"kind":     "standard",
			"category": "greeting",
			"repeat":   "yearly",
			"trigger":  "birthday",
			"template": "{{contact}}, с днём рождения! Здоровья, энергии и удачных проектов. От всей команды {{point}}, {{manager}}\n\n" +
				"Happy birthday, {{contact}}! All the best from {{manager}} and the team at {{point}}.",
		}},
		{key: "anniversary", quota: 40, spread: 5, fields: map[string]any{
			"title":    "Годовщина сотрудничества / Years together",
			"kind":     "standard",
			"category": "greeting",
			"repeat":   "yearly",
			"trigger":  "anniversary",
			"template": "{{contact}}, сегодня годовщина нашего сотрудничества с {{client}} — лет вместе: {{years}}! Спасибо за доверие. {{manager}}, {{point}}\n\n" +
				"{{contact}}, {{years}} years together today! Thank you for trusting us, {{client}}. {{manager}}, {{point}}",
		}},
	}
}

// seedOccasions saves the content plan.
func (s *seeder) seedOccasions() error {
	for _, spec := range s.occasionPlan() {
		fields := spec.fields
		if _, ok := fields["repeat"]; !ok {
			fields["repeat"] = "none"
		}
		if _, ok := fields["trigger"]; !ok {
			fields["trigger"] = "none"
		}
		if len(spec.points) > 0 {
			ids := make([]string, len(spec.points))
			for i, p := range spec.points {
				ids[i] = s.points[p].record.Id
			}
			fields["points"] = ids
		}
		record, err := s.create("occasions", fields)
		if err != nil {
			return err
		}
		s.occasions[spec.key] = record
		if err := s.seedTemplates(spec.key, record); err != nil {
			return err
		}
	}
	return nil
}

// abVariants are the second variants (B) of two occasions' texts, per
// language: an A/B test at weights 1:1 (SPEC §5).
var abVariants = map[string]map[string]string{
	"article": {
		"ru": "{{contact}}, здравствуйте! Мы собрали 7 способов сократить расходы на логистику — три из них подойдут {{client}} уже в этом квартале: https://touchbase.example/blog/logistics. {{manager}}",
		"en": "{{contact}}, we put together 7 ways to cut logistics costs; three of them could work for {{client}} this quarter: https://touchbase.example/blog/logistics. {{manager}}",
	},
	"survey": {
		"ru": "{{contact}}, оцените, пожалуйста, нашу работу по шкале от 1 до 10 — одна цифра в ответ поможет нам стать лучше для {{client}}. {{manager}}",
		"en": "{{contact}}, on a scale of 1 to 10, how likely are you to recommend us? One number in reply helps us serve {{client}} better. {{manager}}",
	},
}

// seedTemplates splits an occasion's bilingual demo text (Russian, a blank
// line, English) into its language versions (occasion_templates); the
// occasion keeps the whole text as its default. A text with no English
// part gets a Russian version only. The occasions of abVariants get a
// second variant per language.
func (s *seeder) seedTemplates(key string, occasion *core.Record) error {
	text := occasion.GetString("template")
	versions := map[string]string{"ru": text}
	if i := strings.LastIndex(text, "\n\n"); i >= 0 {
		versions["ru"], versions["en"] = text[:i], text[i+2:]
	}
	for _, language := range domain.Languages {
		body, ok := versions[language]
		if !ok {
			continue
		}
		variant := ""
		b, ab := abVariants[key][language]
		if ab {
			variant = "A"
		}
		fields := map[string]any{"occasion": occasion.Id, "language": language, "variant": variant, "weight": 1, "text": body}
		if _, err := s.create("occasion_templates", fields); err != nil {
			return err
		}
		if ab {
			fields := map[string]any{"occasion": occasion.Id, "language": language, "variant": "B", "weight": 1, "text": b}
			if _, err := s.create("occasion_templates", fields); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedTouches marks touches the way managers would have: each occasion gets
// up to its quota of clients, in a reproducible random order, each marked by
// the client's own point manager on a working day inside the occasion's
// window (backdated, so the Due view has a history), eligible on that day
// by the same occurrence rules the server applies. Past campaigns are
// archived after their marks. The server writes each touch's card comment;
// its date is aligned with the touch at the end.
func (s *seeder) seedTouches() error {
	for _, spec := range s.occasionPlan() {
		if spec.quota == 0 {
			continue
		}
		occasion := s.occasions[spec.key]
		marked := 0
		for _, i := range s.r.Perm(len(s.clients)) {
			if marked == spec.quota {
				break
			}
			c := s.clients[i]
			if c.record.GetString("stage") == "lost" || !targets(occasion, c) {
				continue
			}
			at, ok := s.touchMoment(occasion, c, spec.spread)
			if !ok {
				continue
			}
			if err := s.markTouch(occasion, c, at); err != nil {
				return err
			}
			marked++
		}
		if spec.archive {
			occasion.Set("archived", true)
			if err := s.app.Save(occasion); err != nil {
				return err
			}
		}
	}

	// the card comment of a backdated touch dates from the touch
	_, err := s.app.DB().NewQuery(`UPDATE comments SET
		created = (SELECT t.created FROM touches t WHERE t.id = comments.touch),
		updated = (SELECT t.created FROM touches t WHERE t.id = comments.touch)
		WHERE kind = 'touch' AND touch IN (SELECT id FROM touches)`).Execute()
	return err
}

// targets mirrors the server's targeting rule: the occasion's points and
// segments (empty = all) include the client's.
func targets(occasion *core.Record, c *demoClient) bool {
	if points := occasion.GetStringSlice("points"); len(points) > 0 && !slices.Contains(points, c.point.record.Id) {
		return false
	}
	if segments := occasion.GetStringSlice("segments"); len(segments) > 0 && !slices.Contains(segments, c.record.GetString("segment")) {
		return false
	}
	return true
}

// touchMoment picks when the client was touched for the occasion: a working
// hour of a day within the last spread days of the occurrence window that
// has begun (for a personal occasion: on or just after the client's date,
// never ahead of it), and reports whether the occasion was active for the
// client on that local day.
func (s *seeder) touchMoment(occasion *core.Record, c *demoClient, spread int) (time.Time, bool) {
	o := domain.OccasionRule(occasion)
	cl := domain.ClientDates(c.record, c.contact)
	tz := c.point.spec.timezone
	today := occurrence.Today(s.now, tz)
	oc := occurrence.For(o, cl, today)
	if !oc.Known {
		return time.Time{}, false
	}

	var day time.Time
	if o.Trigger != "none" && o.Trigger != "" {
		if oc.Date.After(today) || oc.Date.Before(today.AddDate(0, 0, -spread)) {
			return time.Time{}, false // greetings are sent on the day, not ahead
		}
		day = oc.Date.AddDate(0, 0, s.r.IntN(2))
	} else {
		hi := today
		if !oc.To.IsZero() && oc.To.Before(hi) {
			hi = oc.To
		}
		lo := hi.AddDate(0, 0, -spread)
		if !oc.From.IsZero() && oc.From.After(lo) {
			lo = oc.From
		}
		if lo.After(hi) {
			return time.Time{}, false
		}
		day = lo.AddDate(0, 0, s.r.IntN(int(hi.Sub(lo).Hours()/24)+1))
	}
	if day.After(today) {
		day = today
	}
	if since := cl.Since; !since.IsZero() && since.After(day) {
		return time.Time{}, false // not a client yet on that day
	}

	at := s.localMoment(day, tz)
	ok, _ := occurrence.Active(o, cl, occurrence.Today(at, tz))
	return at, ok
}

// markTouch saves one touch as of at; the server sets its period and
// writes the card comment in the same transaction.
func (s *seeder) markTouch(occasion *core.Record, c *demoClient, at time.Time) error {
	status := "done"
	comment := ""
	if s.r.IntN(100) < 12 {
		status = "skipped"
		comment = fake.Pick(s.r, skipReasonsEN)
		if c.russian {
			comment = fake.Pick(s.r, skipReasonsRU)
		}
	} else if s.r.IntN(100) < 35 {
		comment = fake.Pick(s.r, doneNotesEN)
		if c.russian {
			comment = fake.Pick(s.r, doneNotesRU)
		}
	}
	touch, err := s.newRecord("touches", map[string]any{
		"client":   c.record.Id,
		"occasion": occasion.Id,
		"status":   status,
		"contact":  c.contact.Id, // the primary contact (whose birthday a birthday mark is for)
		"channel":  c.contact.GetString("channel"),
		"comment":  comment,
		"author":   s.authorFor(c).Id,
	})
	if err != nil {
		return err
	}
	backdate(touch, at)
	if err := s.app.Save(touch); err != nil {
		return fmt.Errorf("touch of %s for «%s»: %w", c.record.GetString("name"), occasion.GetString("title"), err)
	}
	return nil
}

var (
	skipReasonsRU = []string{
		"Контакт в отпуске до конца месяца.",
		"Уже обсуждали это на встрече на прошлой неделе.",
		"Сменился ЛПР, ищем нового контактного человека.",
		"Неактуально: логистику они отдали на аутсорс.",
	}
	skipReasonsEN = []string{
		"Contact on leave until the end of the month.",
		"Already covered at last week's meeting.",
		"New decision maker, still finding the right person.",
		"Not relevant: they outsource logistics.",
	}
	doneNotesRU = []string{
		"Ответили «спасибо», переслали коллегам.",
		"Позвонил, договорились о встрече на следующей неделе.",
		"Попросили прислать коммерческое предложение.",
		"Прочитали, пока без ответа.",
	}
	doneNotesEN = []string{
		"They said thanks and forwarded it to the team.",
		"Called; meeting booked for next week.",
		"They asked for a quote.",
		"Read, no reply yet.",
	}
)
