/**
 * curl commands as Jira's, Asana's and Trello's documentation prints them (copied character for
 * character, placeholders included), for drafting tests. Each names the page it is printed on.
 */
export interface DocsCurlCommand {
  id: string;
  source: string;
  command: string;
}

export const DOCS_CURL_COMMANDS: readonly DocsCurlCommand[] = [
  {
    id: 'jira-get-issue',
    source:
      'https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-get (curl tab)',
    command: `curl --request GET \\
  --url 'https://your-domain.atlassian.net/rest/api/3/issue/{issueIdOrKey}' \\
  --user 'email@example.com:<api_token>' \\
  --header 'Accept: application/json'`,
  },
  {
    id: 'jira-create-issue',
    source:
      "https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post (curl tab; its --data is the operation's request example)",
    command: `curl --request POST \\
  --url 'https://your-domain.atlassian.net/rest/api/3/issue' \\
  --user 'email@example.com:<api_token>' \\
  --header 'Accept: application/json' \\
  --header 'Content-Type: application/json' \\
  --data '{
  "update": {},
  "fields": {
    "summary": "Main order flow broken",
    "parent": {
      "key": "PROJ-123"
    },
    "issuetype": {
      "id": "10000"
    },
    "components": [
      {
        "id": "10000"
      }
    ],
    "customfield_20000": "06/Jul/19 3:25 PM",
    "customfield_40000": {
      "type": "doc",
      "version": 1,
      "content": [
        {
          "type": "paragraph",
          "content": [
            {
              "text": "Occurs on all orders",
              "type": "text"
            }
          ]
        }
      ]
    },
    "customfield_70000": [
      "jira-administrators",
      "jira-software-users"
    ],
    "project": {
      "id": "10000"
    },
    "description": {
      "type": "doc",
      "version": 1,
      "content": [
        {
          "type": "paragraph",
          "content": [
            {
              "text": "Order entry fails when selecting supplier.",
              "type": "text"
            }
          ]
        }
      ]
    },
    "reporter": {
      "id": "5b10a2844c20165700ede21g"
    },
    "fixVersions": [
      {
        "id": "10001"
      }
    ],
    "customfield_10000": "09/Jun/19",
    "priority": {
      "id": "20000"
    },
    "labels": [
      "bugfix",
      "blitz_test"
    ],
    "timetracking": {
      "remainingEstimate": "5",
      "originalEstimate": "10"
    },
    "customfield_30000": [
      "10000",
      "10002"
    ],
    "customfield_80000": {
      "value": "red"
    },
    "security": {
      "id": "10000"
    },
    "environment": {
      "type": "doc",
      "version": 1,
      "content": [
        {
          "type": "paragraph",
          "content": [
            {
              "text": "UAT",
              "type": "text"
            }
          ]
        }
      ]
    },
    "versions": [
      {
        "id": "10000"
      }
    ],
    "duedate": "2019-05-11",
    "customfield_60000": "jira-software-users",
    "customfield_50000": {
      "type": "doc",
      "version": 1,
      "content": [
        {
          "type": "paragraph",
          "content": [
            {
              "text": "Could impact day-to-day work.",
              "type": "text"
            }
          ]
        }
      ]
    },
    "assignee": {
      "id": "5b109f2e9729b51b54dc274d"
    }
  }
}'`,
  },
  {
    id: 'jira-basic-auth',
    source:
      'https://developer.atlassian.com/cloud/jira/platform/basic-auth-for-rest-apis/ (Simple example)',
    command: `curl -D- \\
   -u fred@example.com:freds_api_token \\
   -X GET \\
   -H "Content-Type: application/json" \\
   https://your-domain.atlassian.net/rest/api/2/issue/createmeta`,
  },
  {
    id: 'asana-pat',
    source: 'https://developers.asana.com/docs/personal-access-token (Example)',
    command: `curl https://app.asana.com/api/1.0/users/me \\
  -H "Authorization: Bearer ACCESS_TOKEN"`,
  },
  {
    id: 'trello-create-card',
    source: 'https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-post',
    command: `curl --request POST \\
  --url 'https://api.trello.com/1/cards?idList=5abbe4b7ddc1b351ef961414&key=APIKey&token=APIToken' \\
  --header 'Accept: application/json'`,
  },
  {
    id: 'trello-create-card-example-key',
    source:
      "https://developer.atlassian.com/cloud/trello/rest/api-group-cards/#api-cards-post (the earlier edition's Example, with a sample key and token)",
    command: `curl --request POST \\
  --url 'https://api.trello.com/1/cards?key=0471642aefef5fa1fa76530ce1ba4c85&token=9eb76d9a9d02b8dd40c2f3e5df18556c831d4d1fadbe2c45f8310e6c93b5c548&idList=5abbe4b7ddc1b351ef961414'`,
  },
];

export function findDocsCurlCommand(id: string): string {
  const found = DOCS_CURL_COMMANDS.find((entry) => entry.id === id);
  if (!found) throw new Error(`no docs curl command ${id}`);
  return found.command;
}
