// Package workflows is the shared kernel of dealflow's Temporal workflows:
// what every business context shares — the task queue, the kinds of error
// a step is refused with (declared once, for workflows, activities and the
// API alike), the registrar of human steps as Updates, reason and
// four-eyes checks, and the update-and-wait that typed clients use.
//
// Each context has its own packages beneath: workflows/<context> holds its
// contract (workflow IDs, update and query names, input and state types)
// and its typed client, which the API imports; the workflow itself lives
// one level down (workflows/deal/registration, workflows/incentive/cycle)
// with its steps and timers, and is the only code that calls the
// context's activities.
package workflows

// TaskQueue is the task queue every dealflow workflow and activity runs on.
const TaskQueue = "dealflow-deals"
