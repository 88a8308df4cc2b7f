// Package model holds GraphQL models gqlgen generates for types no Go type is bound to.
package model
