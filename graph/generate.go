package graph

//go:generate sh -c "cd .. && go tool gqlgen generate"
//go:generate go run ./internal/hotpath
