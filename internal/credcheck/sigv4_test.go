package credcheck

import (
	"net/http"
	"testing"
	"time"
)

// AWS's documented Signature Version 4 example: IAM ListUsers, signed with
// the documentation's example key at 2015-08-30T12:36:00Z.
func TestSignV4MatchesAWSDocumentedExample(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	signV4(req, nil, awsKeys{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}, "us-east-1", "iam",
		time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC))
	const want = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
		"SignedHeaders=content-type;host;x-amz-date, " +
		"Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
	if got := req.Header.Get("Authorization"); got != want {
		t.Fatalf("Authorization =\n%s\nwant\n%s", got, want)
	}
	if got := req.Header.Get("X-Amz-Date"); got != "20150830T123600Z" {
		t.Fatalf("X-Amz-Date = %q", got)
	}
}

func TestSignV4SignsThePayloadAndTarget(t *testing.T) {
	sign := func(payload, target string) string {
		req, _ := http.NewRequest(http.MethodPost, "https://api.ecr.eu-west-3.amazonaws.com/", nil)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		signV4(req, []byte(payload), awsKeys{"AKID", "secret"}, "eu-west-3", "ecr", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		return req.Header.Get("Authorization")
	}
	base := sign("{}", "A.GetAuthorizationToken")
	if sign(`{"x":1}`, "A.GetAuthorizationToken") == base || sign("{}", "A.Other") == base {
		t.Fatal("the payload and the target must be signed")
	}
}
