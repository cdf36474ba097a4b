//! Checks for credentials stored or passed in ways that leak them.

mod patterns;

crate::check::registry! {
    private_key_in_object::PrivateKeyInObject,
    cloud_credentials_in_object::CloudCredentialsInObject,
    credentials_in_config_map::CredentialsInConfigMap,
    secret_as_env_var::SecretAsEnvVar,
}
