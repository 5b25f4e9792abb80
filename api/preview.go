package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
	"touchbase/occurrence"
	"touchbase/templates"
)

// previewRequest is the body of POST /api/touchbase/preview: an occasion
// as the editor holds it (saved or not), its texts, and the client to
// render them for.
type previewRequest struct {
	Client string `json:"client"`
	// Occasion holds the fields the message depends on; Id, when set,
	// names the saved occasion the draft edits (its variant choice
	// depends on it).
	Occasion struct {
		Id       string   `json:"id"`
		Title    string   `json:"title"`
		Repeat   string   `json:"repeat"`
		Trigger  string   `json:"trigger"`
		Starts   string   `json:"starts"`
		Ends     string   `json:"ends"`
		Roles    []string `json:"roles"`
		Segments []string `json:"segments"`
		Points   []string `json:"points"`
	} `json:"occasion"`
	// Template is the occasion's default text; Templates its versions.
	Template  string            `json:"template"`
	Templates []previewTemplate `json:"templates"`
}

type previewTemplate struct {
	Language string  `json:"language"`
	Variant  string  `json:"variant"`
	Weight   float64 `json:"weight"`
	Text     string  `json:"text"`
}

// previewText is one text rendered for the client, or the problem that
// keeps it from being saved (SPEC §4.6, worded as the save would).
type previewText struct {
	Message string   `json:"message"`
	Missing []string `json:"missing"`
	Error   string   `json:"error,omitempty"`
	// Chosen: this is the text the client gets (SPEC §5).
	Chosen bool `json:"chosen"`
}

type previewResponse struct {
	Client struct {
		Id        string `json:"id"`
		Name      string `json:"name"`
		PointName string `json:"pointName"`
	} `json:"client"`
	Contact *struct {
		Id   string `json:"id"`
		Name string `json:"name"`
	} `json:"contact"`
	// Language is the language the client's message is in (SPEC §5).
	Language string `json:"language"`
	Period   string `json:"period"`
	Date     string `json:"date,omitempty"`
	// Targeted: the occasion's points and segments include the client.
	Targeted  bool          `json:"targeted"`
	Default   previewText   `json:"default"`
	Templates []previewText `json:"templates"`
}

// preview serves POST /api/touchbase/preview for the occasion editor
// (service managers): it renders an occasion's texts, saved or not, for a
// real client with the worklist's renderer (renderMessage), marks the text
// that client gets by the selection rule (templates.Set, the one the
// worklist and the mark use), and words each text's problem as saving it
// would, in the request's language. It writes nothing.
func preview(e *core.RequestEvent) error {
	if !access.IsServiceManager(e.Auth) && !e.HasSuperuserAuth() {
		return domain.ErrorT(http.StatusForbidden, "api.editor_only")
	}
	var body previewRequest
	if err := e.BindBody(&body); err != nil {
		return domain.FieldErrorT("body", "validation_json", "api.preview_body")
	}
	client, err := e.App.FindRecordById("clients", strings.TrimSpace(body.Client))
	if err != nil || !scopeOf(e).Allows(client.GetString("point")) {
		return domain.FieldErrorT("client", "validation_unknown_client", "api.preview_client")
	}
	point, _ := e.App.FindRecordById("points", client.GetString("point"))

	occasion, err := draftOccasion(e.App, body)
	if err != nil {
		return err
	}
	rule := domain.OccasionRule(occasion)
	contact, err := previewContact(e.App, client.Id, rule.Trigger, body.Occasion.Roles)
	if err != nil {
		return err
	}
	today := occurrence.Today(time.Now(), "")
	pointName, pointLanguage := "", ""
	if point != nil {
		today = occurrence.Today(time.Now(), point.GetString("timezone"))
		pointName, pointLanguage = point.GetString("name"), point.GetString("language")
	}
	oc := occurrence.For(rule, domain.ClientDates(client, contact), today)
	if rule.Trigger == "birthday" && contact != nil {
		oc.Period = domain.TouchPeriod(rule.Trigger, oc.Period, contact.Id)
	}

	manager := ""
	if m, err := e.App.FindRecordById("users", client.GetString("manager")); err == nil {
		manager = m.GetString("name")
	}
	facts := messageFacts{
		Client: client.GetString("name"), Manager: manager, Point: pointName,
		Since: client.GetDateTime("since").Time(), Date: oc.Date, Today: today,
	}
	contactLanguage := ""
	var out previewResponse
	out.Client.Id, out.Client.Name, out.Client.PointName = client.Id, facts.Client, pointName
	if contact != nil {
		facts.Contact, facts.Position = contact.GetString("name"), contact.GetString("position")
		contactLanguage = contact.GetString("language")
		out.Contact = &struct {
			Id   string `json:"id"`
			Name string `json:"name"`
		}{contact.Id, facts.Contact}
	}
	out.Language = templates.Language(contactLanguage, client.GetString("language"), pointLanguage)
	out.Period = oc.Period
	if !oc.Date.IsZero() {
		out.Date = oc.Date.Format(time.DateOnly)
	}
	points, segments := body.Occasion.Points, body.Occasion.Segments
	out.Targeted = (len(points) == 0 || slices.Contains(points, client.GetString("point"))) &&
		(len(segments) == 0 || slices.Contains(segments, client.GetString("segment")))

	// the choice: the versions as the saved occasion would hold them,
	// keyed by their place in the request
	versions := make([]templates.Template, 0, len(body.Templates))
	for i, t := range body.Templates {
		versions = append(versions, templates.Template{Id: strconv.Itoa(i), Language: t.Language, Variant: t.Variant, Weight: t.Weight})
	}
	chosen, ok := templates.NewSet(occasion.Id, body.Template, versions).Choose(out.Language, client.Id, oc.Period)

	lang := domain.RequestLang(e)
	render := func(text string) previewText {
		p := previewText{}
		p.Message, p.Missing = renderMessage(text, facts, e.Auth)
		if m, bad := templates.Problem(text); bad {
			p.Error = m.In(lang)
		}
		return p
	}
	out.Default = render(body.Template)
	out.Default.Chosen = !ok
	out.Templates = make([]previewText, len(body.Templates))
	for i, t := range body.Templates {
		out.Templates[i] = render(t.Text)
		out.Templates[i].Chosen = ok && chosen.Id == strconv.Itoa(i)
	}
	return e.JSON(http.StatusOK, out)
}

// draftOccasion is the occasion the preview renders: the saved one named
// by the draft's id (which must exist), with the draft's fields over it,
// set through the collection's fields as a save would read them.
func draftOccasion(app core.App, body previewRequest) (*core.Record, error) {
	collection, err := app.FindCachedCollectionByNameOrId("occasions")
	if err != nil {
		return nil, err
	}
	occasion := core.NewRecord(collection)
	if id := strings.TrimSpace(body.Occasion.Id); id != "" {
		if occasion, err = app.FindRecordById(collection, id); err != nil {
			return nil, domain.FieldErrorT("occasion", "validation_unknown_occasion", "api.preview_occasion")
		}
	}
	d := body.Occasion
	for name, value := range map[string]any{"repeat": d.Repeat, "trigger": d.Trigger, "starts": d.Starts, "ends": d.Ends} {
		occasion.Set(name, value)
	}
	if occasion.GetString("repeat") == "" {
		occasion.Set("repeat", "none")
	}
	switch occasion.GetString("trigger") {
	case "birthday", "anniversary":
		occasion.Set("repeat", "yearly")
	}
	return occasion, nil
}

// previewContact is the contact the client's message addresses (SPEC §5):
// for a birthday occasion the first of the roles' contacts with a birthday
// (its rows are per contact), else domain.AddressedContact.
func previewContact(app core.App, clientId, trigger string, roles []string) (*core.Record, error) {
	if trigger != "birthday" {
		return domain.AddressedContact(app, clientId, roles)
	}
	records, err := app.FindRecordsByFilter("contacts", "client = {:client} && archived = false && birthday != ''",
		"name", 0, 0, dbx.Params{"client": clientId})
	if err != nil {
		return nil, err
	}
	for _, r := range records {
		if len(roles) == 0 || slices.Contains(roles, r.GetString("role")) {
			return r, nil
		}
	}
	return nil, nil
}
