package members

// InviteInput is the GraphQL InviteMemberInput.
type InviteInput struct {
	Email  string
	RoleID string
}
