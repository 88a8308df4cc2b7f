package schema

import "github.com/orgql/orgql/internal/rbac"

type rbacKind = rbac.Kind
