import Records

/// The CI provider, job URL and branch from the environment variables CI services set.
package struct CIEnvironment: Sendable {
    package let provider: String?
    package let jobURL: String?
    /// The branch CI says it builds, for a detached HEAD (pull requests check out a merge commit).
    package let branch: String?

    package init(_ environment: [String: String]) {
        func value(_ key: String) -> String? {
            guard let text = environment[key], !text.isEmpty else { return nil }
            return text
        }
        if value("GITHUB_ACTIONS") != nil {
            provider = "github-actions"
            if let server = value("GITHUB_SERVER_URL"), let repository = value("GITHUB_REPOSITORY"), let run = value("GITHUB_RUN_ID") {
                jobURL = "\(server)/\(repository)/actions/runs/\(run)" + (value("GITHUB_RUN_ATTEMPT").map { "/attempts/\($0)" } ?? "")
            } else {
                jobURL = nil
            }
            // On pull requests GITHUB_REF_NAME is "123/merge"; GITHUB_HEAD_REF is the branch.
            branch = value("GITHUB_HEAD_REF") ?? value("GITHUB_REF_NAME")
        } else if value("GITLAB_CI") != nil {
            provider = "gitlab"
            jobURL = value("CI_JOB_URL")
            branch = value("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME") ?? value("CI_COMMIT_REF_NAME")
        } else if value("BUILDKITE") != nil {
            provider = "buildkite"
            jobURL = value("BUILDKITE_BUILD_URL").map { url in value("BUILDKITE_JOB_ID").map { "\(url)#\($0)" } ?? url }
            branch = value("BUILDKITE_BRANCH")
        } else if value("CIRCLECI") != nil {
            provider = "circleci"
            jobURL = value("CIRCLE_BUILD_URL")
            branch = value("CIRCLE_BRANCH")
        } else if value("JENKINS_URL") != nil {
            provider = "jenkins"
            jobURL = value("BUILD_URL")
            branch = value("BRANCH_NAME") ?? value("GIT_BRANCH")
        } else if value("TF_BUILD") != nil {
            provider = "azure-pipelines"
            if let collection = value("SYSTEM_COLLECTIONURI"), let project = value("SYSTEM_TEAMPROJECT"), let build = value("BUILD_BUILDID") {
                jobURL = "\(collection)\(project)/_build/results?buildId=\(build)"
            } else {
                jobURL = nil
            }
            branch = value("SYSTEM_PULLREQUEST_SOURCEBRANCH") ?? value("BUILD_SOURCEBRANCHNAME")
        } else if value("CI") != nil, value("CI") != "false" {
            provider = "unknown"
            jobURL = nil
            branch = nil
        } else {
            provider = nil
            jobURL = nil
            branch = nil
        }
    }
}
