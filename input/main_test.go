package input_test

import (
	"testing"

	"touchbase/internal/testapp"
)

// The role × collection × action table lives in faults/access_review_test.go
// (with the custom routes); the tests here go deeper into each hook.

func TestMain(m *testing.M) { testapp.Main(m) }
