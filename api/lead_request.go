package api

// leadStepBody is the body of accept, decline and contacted.
type leadStepBody struct {
	Reason string `json:"reason" validate:"max=2000,multiline"`
}
