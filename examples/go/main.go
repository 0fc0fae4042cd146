// Command inferd-go-client calls inferd's ai.inference.v1 API from Go with the stubs that
// `buf generate` writes to ./gen: unary Complete, server-streaming StreamComplete and client-streaming
// BatchEmbed. It checks what comes back (non-empty text, finish reason, usage totals, 384-dimensional
// unit vectors) and exits 1 on the first failed check, so CI can run it.
//
//	go run . --target 127.0.0.1:50051 [--api-key KEY] [--model NAME]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	inferencev1 "github.com/inferd/inferd/examples/go/gen/ai/inference/v1"
)

const embeddingDimensions = 384 // all-minilm-l6-v2, the server's embedding model

type options struct {
	target, apiKey, model, embedModel, prompt string
	maxTokens, seed                           int
	tls                                       bool
}

func main() {
	o := options{}
	flag.StringVar(&o.target, "target", envOr("INFERD_TARGET", "127.0.0.1:50051"), "HOST:PORT of the server (env INFERD_TARGET)")
	flag.StringVar(&o.apiKey, "api-key", os.Getenv("INFERD_API_KEY"), "sent as x-api-key metadata (env INFERD_API_KEY); none when empty")
	flag.StringVar(&o.model, "model", "", `generation model ("" = the server's default)`)
	flag.StringVar(&o.embedModel, "embed-model", "", `embedding model ("" = the server's default)`)
	flag.StringVar(&o.prompt, "prompt", "Once upon a time", "user message for Complete and StreamComplete")
	flag.IntVar(&o.maxTokens, "max-tokens", 64, "max_tokens")
	flag.IntVar(&o.seed, "seed", 7, "sampling seed (same seed + same prompt => same text)")
	flag.BoolVar(&o.tls, "tls", false, "use TLS with the system's root certificates")
	flag.Parse()

	if err := run(o); err != nil {
		fmt.Fprintf(os.Stderr, "go client: FAILED: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("go client: all checks passed")
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func run(o options) error {
	creds := insecure.NewCredentials()
	if o.tls {
		creds = credentials.NewClientTLSFromCert(nil, "")
	}
	conn, err := grpc.NewClient(o.target, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := inferencev1.NewInferenceServiceClient(conn)

	// The key travels as x-api-key metadata on every call, as the document's unary call sends it.
	base := context.Background()
	if o.apiKey != "" {
		base = metadata.AppendToOutgoingContext(base, "x-api-key", o.apiKey)
	}
	request := &inferencev1.CompleteRequest{
		Model:       o.model,
		Messages:    []*inferencev1.Message{{Role: "user", Content: o.prompt}},
		Temperature: 0.7,
		MaxTokens:   int32(o.maxTokens),
		Seed:        proto.Int32(int32(o.seed)),
	}

	fmt.Println("== Complete (unary)")
	completed, err := complete(base, client, request)
	if err != nil {
		return fmt.Errorf("Complete: %w", err)
	}
	fmt.Println("== StreamComplete (server streaming)")
	streamed, err := streamComplete(base, client, request)
	if err != nil {
		return fmt.Errorf("StreamComplete: %w", err)
	}
	if streamed != completed {
		return errors.New("StreamComplete: text differs from Complete's for the same prompt and seed")
	}
	fmt.Println("== BatchEmbed (client streaming)")
	if err := batchEmbed(base, client, o.embedModel, []string{
		"API 설계 패턴", "마이크로서비스 아키텍처", "서버리스 컴퓨팅", "이벤트 주도 설계", "API design patterns",
	}); err != nil {
		return fmt.Errorf("BatchEmbed: %w", err)
	}
	return nil
}

func complete(base context.Context, client inferencev1.InferenceServiceClient, req *inferencev1.CompleteRequest) (string, error) {
	ctx, cancel := context.WithTimeout(base, 30*time.Second) // 30-second deadline
	defer cancel()
	res, err := client.Complete(ctx, req)
	if err != nil {
		return "", describe(err)
	}
	if len(res.GetChoices()) != 1 {
		return "", fmt.Errorf("%d choices, expected 1", len(res.GetChoices()))
	}
	choice := res.GetChoices()[0]
	fmt.Printf("Model: %s\nResponse: %s\nTokens: %d\n", res.GetModel(), choice.GetMessage().GetContent(), res.GetUsage().GetTotalTokens())
	switch {
	case res.GetModel() == "":
		return "", errors.New("empty model name")
	case choice.GetMessage().GetRole() != "assistant":
		return "", fmt.Errorf("role %q, expected assistant", choice.GetMessage().GetRole())
	case strings.TrimSpace(choice.GetMessage().GetContent()) == "":
		return "", errors.New("empty text")
	case res.GetCreatedAt() == nil:
		return "", errors.New("no created_at")
	}
	if err := checkUsage(res.GetUsage()); err != nil {
		return "", err
	}
	if err := checkFinish(choice.GetFinishReason(), res.GetUsage(), req.GetMaxTokens()); err != nil {
		return "", err
	}
	return choice.GetMessage().GetContent(), nil
}

func streamComplete(base context.Context, client inferencev1.InferenceServiceClient, req *inferencev1.CompleteRequest) (string, error) {
	ctx, cancel := context.WithTimeout(base, 60*time.Second)
	defer cancel()
	stream, err := client.StreamComplete(ctx, req)
	if err != nil {
		return "", describe(err)
	}
	var text strings.Builder
	var usage *inferencev1.Usage
	finish, firstRole, chunks, usageChunks := "", "", 0, 0
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", describe(err)
		}
		chunks++
		for _, choice := range chunk.GetChoices() {
			if chunks == 1 {
				firstRole = choice.GetDelta().GetRole()
			}
			if content := choice.GetDelta().GetContent(); content != "" {
				text.WriteString(content)
				fmt.Print(content)
			}
			if choice.FinishReason != nil {
				finish = choice.GetFinishReason()
				fmt.Printf("\nDone: %s\n", finish)
			}
		}
		if chunk.Usage != nil { // only the last chunk carries usage
			usage = chunk.GetUsage()
			usageChunks++
			fmt.Printf("Total tokens: %d\n", usage.GetTotalTokens())
		}
	}
	switch {
	case chunks < 2:
		return "", fmt.Errorf("%d chunks", chunks)
	case firstRole != "assistant":
		return "", fmt.Errorf("first chunk's role %q, expected assistant", firstRole)
	case strings.TrimSpace(text.String()) == "":
		return "", errors.New("empty text")
	case usageChunks != 1:
		return "", fmt.Errorf("usage in %d chunks, expected only the last", usageChunks)
	}
	if err := checkUsage(usage); err != nil {
		return "", err
	}
	if err := checkFinish(finish, usage, req.GetMaxTokens()); err != nil {
		return "", err
	}
	return text.String(), nil
}

func batchEmbed(base context.Context, client inferencev1.InferenceServiceClient, model string, texts []string) error {
	ctx, cancel := context.WithTimeout(base, 30*time.Second)
	defer cancel()
	stream, err := client.BatchEmbed(ctx)
	if err != nil {
		return describe(err)
	}
	for _, text := range texts {
		if err := stream.Send(&inferencev1.EmbedRequest{Model: model, Text: text}); err != nil {
			break // the server ended the call; CloseAndRecv returns its status
		}
	}
	res, err := stream.CloseAndRecv()
	if err != nil {
		return describe(err)
	}
	for _, e := range res.GetEmbeddings() {
		head := e.GetVector()
		if len(head) > 3 {
			head = head[:3]
		}
		fmt.Printf("Index %d: dim=%d, first_3=%v\n", e.GetIndex(), len(e.GetVector()), head)
	}
	fmt.Printf("Total tokens: %d\n", res.GetUsage().GetTotalTokens())
	if len(res.GetEmbeddings()) != len(texts) {
		return fmt.Errorf("%d embeddings for %d texts", len(res.GetEmbeddings()), len(texts))
	}
	for i, e := range res.GetEmbeddings() {
		if int(e.GetIndex()) != i {
			return fmt.Errorf("embedding %d has index %d", i, e.GetIndex())
		}
		if len(e.GetVector()) != embeddingDimensions {
			return fmt.Errorf("embedding %d has %d dimensions, expected %d", i, len(e.GetVector()), embeddingDimensions)
		}
		var sum float64
		for _, x := range e.GetVector() {
			sum += float64(x) * float64(x)
		}
		if norm := math.Sqrt(sum); math.Abs(norm-1) > 1e-3 {
			return fmt.Errorf("embedding %d has norm %.4f, expected 1", i, norm)
		}
	}
	return checkUsage(res.GetUsage())
}

func checkUsage(u *inferencev1.Usage) error {
	switch {
	case u == nil:
		return errors.New("no usage")
	case u.GetPromptTokens()+u.GetCompletionTokens() != u.GetTotalTokens():
		return fmt.Errorf("usage %d + %d != total %d", u.GetPromptTokens(), u.GetCompletionTokens(), u.GetTotalTokens())
	case u.GetPromptTokens() <= 0:
		return fmt.Errorf("usage.prompt_tokens is %d", u.GetPromptTokens())
	}
	return nil
}

func checkFinish(reason string, u *inferencev1.Usage, maxTokens int32) error {
	switch {
	case reason != "stop" && reason != "length":
		return fmt.Errorf("finish_reason %q, expected stop or length", reason)
	case u.GetCompletionTokens() <= 0:
		return errors.New("usage.completion_tokens is 0")
	case reason == "length" && maxTokens > 0 && u.GetCompletionTokens() != maxTokens:
		return fmt.Errorf("finish_reason length after %d tokens, max_tokens %d", u.GetCompletionTokens(), maxTokens)
	}
	return nil
}

// describe turns a gRPC error into "CODE: message".
func describe(err error) error {
	if s, ok := status.FromError(err); ok {
		return fmt.Errorf("%s: %s", s.Code(), s.Message())
	}
	return err
}
