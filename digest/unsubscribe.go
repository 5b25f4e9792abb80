package digest

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"touchbase/texts"
)

// UnsubscribePath is the route of the e-mail's unsubscribe link: no
// sign-in, the token in the link says who.
const UnsubscribePath = "/api/touchbase/digest/unsubscribe"

// unsubscribeTTL is how long an unsubscribe link works.
const unsubscribeTTL = 60 * 24 * time.Hour

// purpose is the token's purpose claim: only an unsubscribe token has it,
// so no other token signed for the user could pass for one.
const (
	claimPurpose = "purpose"
	purpose      = "digest_unsubscribe"
)

// signingKey is the unsubscribe tokens' key for user: derived from their
// tokenKey (which a password change or a forced sign-out renews, ending
// every link sent before) and the users collection's auth token secret
// (the app's setting), under a label of its own, so it differs from the
// key of the user's auth tokens (tokenKey + secret).
func signingKey(user *core.Record) string {
	return security.HS256("touchbase.digest.unsubscribe:"+user.TokenKey(), user.Collection().AuthToken.Secret)
}

// NewUnsubscribeToken is the signed token of user's unsubscribe link in
// the e-mail of the moment now: it expires unsubscribeTTL after it, so the
// same e-mail built twice is the same e-mail.
func NewUnsubscribeToken(app core.App, user *core.Record, now time.Time) (string, error) {
	return newToken(user, now.Add(unsubscribeTTL))
}

func newToken(user *core.Record, expires time.Time) (string, error) {
	// a map[string]any is a jwt.MapClaims (same underlying type); its exp
	// takes the place of the one NewJWT puts from the wall clock
	return security.NewJWT(map[string]any{
		core.TokenClaimId:           user.Id,
		core.TokenClaimCollectionId: user.Collection().Id,
		claimPurpose:                purpose,
		"exp":                       expires.Unix(),
	}, signingKey(user), 0)
}

var errBadToken = errors.New("invalid or expired unsubscribe token")

// userOfToken checks an unsubscribe token and returns its user.
func userOfToken(app core.App, token string) (*core.Record, error) {
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		return nil, errBadToken
	}
	id, _ := claims[core.TokenClaimId].(string)
	if id == "" {
		return nil, errBadToken
	}
	user, err := app.FindRecordById("users", id)
	if err != nil {
		return nil, errBadToken
	}
	claims, err = security.ParseJWT(token, signingKey(user))
	if err != nil {
		return nil, errBadToken
	}
	if p, _ := claims[claimPurpose].(string); p != purpose {
		return nil, errBadToken
	}
	if _, ok := claims["exp"]; !ok {
		return nil, errBadToken
	}
	return user, nil
}

// unsubscribe serves GET (the link) and POST (List-Unsubscribe-Post's one
// click) of UnsubscribePath: a valid token turns the user's digest off
// and answers a short page in their language; any other token a 400 page
// saying the link does not work, in the language the browser asks for.
func unsubscribe(e *core.RequestEvent) error {
	user, err := userOfToken(e.App, e.Request.URL.Query().Get("token"))
	if err != nil {
		lang := texts.FromAcceptLanguage(e.Request.Header.Get("Accept-Language"))
		return page(e, http.StatusBadRequest, lang, texts.T(lang, "digest.bad_link_title"), texts.T(lang, "digest.bad_link"))
	}
	if user.GetBool("digest") {
		user.Set("digest", false)
		if err := e.App.Save(user); err != nil {
			return err
		}
	}
	lang := Language(user, userPoint(e.App, user))
	return page(e, http.StatusOK, lang, texts.T(lang, "digest.unsubscribed_title"), texts.T(lang, "digest.unsubscribed", user.Email()))
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Title}}</title></head>
<body style="margin:0;padding:40px 16px;background:#f4f5f7;font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1f2328">
<div style="max-width:480px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
<h1 style="margin:0 0 12px;font-size:20px">{{.Title}}</h1><p style="margin:0;line-height:1.5">{{.Text}}</p>
</div></body></html>
`))

func page(e *core.RequestEvent, status int, lang, title, text string) error {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, map[string]string{"Lang": lang, "Title": title, "Text": text}); err != nil {
		return err
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.HTML(status, b.String())
}

// unsubscribeURL is the link for token under the app's URL.
func unsubscribeURL(app core.App, token string) string {
	return appURL(app) + UnsubscribePath + "?token=" + url.QueryEscape(token)
}
