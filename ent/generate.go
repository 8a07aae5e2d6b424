// Package ent is Sunlight's generated data layer; the schemas are in
// ent/schema and the generator's configuration in ent/entc.go.
package ent

//go:generate go run -mod=mod entc.go
