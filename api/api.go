// Package api serves Touchbase's custom routes under /api/touchbase/
// (SPEC §6). Every route requires a signed-in staff user (or a superuser)
// and applies the same point scoping as the collection rules: a point
// manager sees only their point, whatever the query says.
package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"touchbase/access"
	"touchbase/domain"
)

// Bind adds the routes to app's router when it serves.
func Bind(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/touchbase")
		g.Bind(apis.RequireAuth())
		g.BindFunc(requireScope)
		g.GET("/occasions", occasions)
		g.POST("/preview", preview)
		g.GET("/worklist", worklist)
		g.GET("/due", due)
		g.GET("/plan", plan)
		g.GET("/stats", stats)
		g.GET("/effectiveness", effectiveness)
		g.GET("/clients", clientsList)
		g.GET("/clients/{id}/timeline", timeline)
		g.GET("/export/touches.csv", exportTouches)
		return se.Next()
	})
}

// Scope is who is asking and which points they may see.
type Scope struct {
	// Auth is the signed-in user (a users or _superusers record).
	Auth *core.Record
	// Points limits every query to these point ids; nil means every point
	// (service managers and superusers).
	Points []string
}

// All reports whether the caller sees every point.
func (s *Scope) All() bool { return s.Points == nil }

// Allows reports whether the caller may see data of pointId.
func (s *Scope) Allows(pointId string) bool {
	return s.All() || slices.Contains(s.Points, pointId)
}

const scopeKey = "touchbase.scope"

// requireScope resolves the caller's scope once per request from the
// record PocketBase loaded for it, with access.PointsOf (the same
// definition the collection rules are built from): service managers and
// superusers see every point, point managers only their own; anyone else
// (no role, a point manager without a point) is refused.
func requireScope(e *core.RequestEvent) error {
	points, all := access.PointsOf(e.Auth)
	if !all && len(points) == 0 {
		return domain.ErrorT(http.StatusForbidden, "api.staff_only")
	}
	e.Set(scopeKey, &Scope{Auth: e.Auth, Points: points})
	return e.Next()
}

// scopeOf returns the caller's scope resolved by requireScope.
func scopeOf(e *core.RequestEvent) *Scope {
	scope, _ := e.Get(scopeKey).(*Scope)
	return scope
}

// narrowToPoint applies the point= query parameter: anyone may narrow to a
// point they can see; a point manager naming another point gets a 403 that
// names the parameter, never a wider result.
func narrowToPoint(e *core.RequestEvent, scope *Scope) (*Scope, error) {
	point := strings.TrimSpace(e.Request.URL.Query().Get("point"))
	if point == "" {
		return scope, nil
	}
	if !scope.Allows(point) {
		return nil, domain.ScopeErrorT("point", "api.point_scope")
	}
	if _, err := e.App.FindRecordById("points", point); err != nil {
		return nil, domain.FieldErrorT("point", "validation_unknown_point", "api.point_unknown")
	}
	return &Scope{Auth: scope.Auth, Points: []string{point}}, nil
}
