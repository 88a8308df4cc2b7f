//go:build tools

package orgql

import (
	_ "github.com/99designs/gqlgen"
)
