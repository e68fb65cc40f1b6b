package oidcdev

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"golang.org/x/text/language"
)

// User is one account of the provider: it signs in on the provider's
// login page with Username and Password, and its ID tokens carry Email
// (verified) and Groups.
type User struct {
	ID       string   `json:"id"`
	Username string   `json:"username"`
	Password string   `json:"password"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Groups   []string `json:"groups"`
}

// DemoPassword is the password of every demo user (DemoUsers).
const DemoPassword = "dealflow-demo-oidc"

// DemoUsers are the vendor staff `make run` and the tests sign in as: an
// admin, a channel manager, finance, a seller, one person in two groups
// and one in no dealflow group.
func DemoUsers() []User {
	u := func(id, local, name string, groups ...string) User {
		email := local + "@vendor.example"
		return User{ID: id, Username: email, Password: DemoPassword, Name: name, Email: email, Groups: groups}
	}
	return []User{
		u("u-admin", "ada.admin", "Ada Admin", "dealflow-admins", "staff"),
		u("u-manager", "max.manager", "Max Manager", "dealflow-managers"),
		u("u-finance", "fay.finance", "Fay Finance", "dealflow-finance"),
		u("u-sales", "sam.sales", "Sam Sales", "dealflow-sales"),
		u("u-both", "bo.both", "Bo Both", "dealflow-managers", "dealflow-finance"),
		u("u-none", "nia.nogroup", "Nia Nogroup", "staff"),
	}
}

// LoadUsers reads users from a JSON file holding a list of User.
func LoadUsers(path string) ([]User, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var users []User
	if err := json.Unmarshal(b, &users); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, u := range users {
		if u.ID == "" || u.Username == "" || u.Password == "" || u.Email == "" {
			return nil, fmt.Errorf("%s: user %d needs id, username, password and email", path, i+1)
		}
	}
	return users, nil
}

// userStore serves Users to the example storage (storage.UserStore) and
// keeps their groups, which the example's user type has no field for.
type userStore struct {
	byID   map[string]*storage.User
	groups map[string][]string
}

func newUserStore(users []User) *userStore {
	s := &userStore{byID: map[string]*storage.User{}, groups: map[string][]string{}}
	for _, u := range users {
		first, last, _ := strings.Cut(u.Name, " ")
		s.byID[u.ID] = &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: first, LastName: last,
			Email: strings.ToLower(u.Email), EmailVerified: true, PreferredLanguage: language.English}
		s.groups[u.ID] = append([]string{}, u.Groups...)
	}
	return s
}

func (s *userStore) GetUserByID(id string) *storage.User { return s.byID[id] }

func (s *userStore) GetUserByUsername(username string) *storage.User {
	for _, u := range s.byID {
		if u.Username == username {
			return u
		}
	}
	return nil
}

// ExampleClientID names the example's service user (JWT profile grant),
// which dealflow does not use.
func (s *userStore) ExampleClientID() string { return storage.ServiceUserID }
