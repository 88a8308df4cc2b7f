package roles

// Service is the roles domain service.
type Service struct{}
