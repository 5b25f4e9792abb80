// Package access is the one definition of who may see what in Touchbase.
//
// A point manager sees the data of their own point; a service manager sees
// every point. That single condition is written here once and rendered
// for each door that needs it:
//
//   - as PocketBase API rules (ServiceManager, PointManager, SeesPoint…),
//     which the migrations put on the collections and PocketBase enforces
//     for REST, expand, filter and its own realtime broadcast;
//   - as the points a custom route may read (PointsOf), for the routes'
//     hand-written SQL;
//   - as the users who may receive a realtime event of a client's record
//     (Readers), one query for all subscribers of an event.
//
// access_test.go checks the three renderings against PocketBase's own
// CanAccessRecord on hostile users (no role, no point, moved, deleted), so
// they cannot drift apart.
package access

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Staff roles (users.role).
const (
	RoleServiceManager = "service_manager"
	RolePointManager   = "point_manager"
)

// API rules. Every rule names the "users" auth collection explicitly, so a
// token of any other auth collection matches no staff role; superusers
// bypass rules altogether (they are the admins).
const (
	// ServiceManager matches a signed-in service manager.
	ServiceManager = `(@request.auth.collectionName = "users" && @request.auth.role = "` + RoleServiceManager + `")`

	// PointManager matches a signed-in point manager that has a point.
	PointManager = `(@request.auth.collectionName = "users" && @request.auth.role = "` + RolePointManager + `" && @request.auth.point != "")`

	// Staff matches any signed-in staff user.
	Staff = `(@request.auth.collectionName = "users" && @request.auth.role != "")`

	// StaffWithScope lets service managers and point managers with a point
	// create records; which client or point they may name is checked by
	// the hooks, so that a foreign or unknown id gets a 400 naming the
	// field instead of a rule failure that names nothing.
	StaffWithScope = `(` + ServiceManager + ` || ` + PointManager + `)`
)

// SeesPoint is the rule for records that belong to the point named by
// pointField: "id" on points, "point" on clients, "client.point" on the
// records of a client. Service managers see every point, point managers
// their own.
func SeesPoint(pointField string) string {
	return `(` + ServiceManager + ` || (` + PointManager + ` && ` + pointField + ` = @request.auth.point))`
}

// OwnClient is SeesPoint for records with a "client" relation.
var OwnClient = SeesPoint("client.point")

// IsStaff reports whether auth is a signed-in Touchbase user (not a
// superuser, not anonymous).
func IsStaff(auth *core.Record) bool {
	return auth != nil && auth.Collection().Name == "users"
}

// IsServiceManager reports whether auth is a signed-in service manager.
func IsServiceManager(auth *core.Record) bool {
	return IsStaff(auth) && auth.GetString("role") == RoleServiceManager
}

// IsPointManager reports whether auth is a signed-in point manager.
func IsPointManager(auth *core.Record) bool {
	return IsStaff(auth) && auth.GetString("role") == RolePointManager
}

// PointsOf is SeesPoint for a custom route: the points whose data auth may
// read. all is true for superusers and service managers (every point);
// otherwise points lists the caller's point, or is empty when the caller
// may see no point (no role, a point manager without a point, a guest).
//
// auth is the record PocketBase loaded from the database for this request.
func PointsOf(auth *core.Record) (points []string, all bool) {
	switch {
	case auth == nil:
		return nil, false
	case auth.IsSuperuser(), IsServiceManager(auth):
		return nil, true
	case IsPointManager(auth) && auth.GetString("point") != "":
		return []string{auth.GetString("point")}, false
	}
	return nil, false
}

// Reader is a user allowed to receive an event, with the token key their
// sessions must still carry: a password reset or a forced sign-out changes
// it, and with it every older session ends.
type Reader struct {
	Id       string `db:"id"`
	TokenKey string `db:"tokenKey"`
}

// Readers returns the users who may see the records of client clientId at
// this moment, with their token keys, read from the users and clients
// tables in one query (SeesPoint("client.point") turned around: not "may
// this user see it" but "who may"). Its cost depends on the staff of one
// point, not on how many are listening. A deleted user, a moved one, one
// whose role changed, or a client that no longer exists gives no reader.
func Readers(app core.App, clientId string) (map[string]string, error) {
	out := map[string]string{}
	if clientId == "" {
		return out, nil
	}
	var rows []Reader
	err := app.DB().Select("u.id", "u.tokenKey").From("users u").
		InnerJoin("clients c", dbx.HashExp{"c.id": clientId}).
		Where(dbx.Or(
			dbx.HashExp{"u.role": RoleServiceManager},
			dbx.And(dbx.HashExp{"u.role": RolePointManager}, dbx.NewExp("u.point != '' AND u.point = c.point")),
		)).
		All(&rows)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.Id] = r.TokenKey
	}
	return out, nil
}
