/** A page of jobs with their owners, the user's own jobs and the provider catalogues: 4 subgraphs, 3 waves. */
export const DASHBOARD = `query Dashboard {
  me { id displayName email generationJobs(first: 10) { totalCount edges { node { id title status owner { id displayName } } } } }
  generationJobs(first: 20) { totalCount edges { node { id kind status progress createdAt owner { id displayName email } } } }
  integrationProviders { id name category authScheme }
  modelProviders { id kind models available }
}`;
