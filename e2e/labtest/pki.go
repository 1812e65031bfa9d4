package labtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The file names inside a lab directory. podium-lab (module e2e/lab) reads
// the same names from its layout type; keep the two in step.
const (
	fileCACert              = "pki/ca.crt"
	fileCAKey               = "pki/ca.key"
	fileServingCert         = "pki/apiserver.crt"
	fileServingKey          = "pki/apiserver.key"
	fileFrontProxyCACert    = "pki/front-proxy-ca.crt"
	fileFrontProxyCAKey     = "pki/front-proxy-ca.key"
	fileFrontProxyCert      = "pki/front-proxy-client.crt"
	fileFrontProxyKey       = "pki/front-proxy-client.key"
	fileSAKey               = "pki/sa.key"
	fileSAPub               = "pki/sa.pub"
	fileAdminCert           = "pki/admin.crt"
	fileAdminKey            = "pki/admin.key"
	fileKubeconfig          = "kubeconfig"
	fileState               = "lab.json"
	filePID                 = "podium-lab.pid"
	fileLock                = ".lock"
	fileLog                 = "logs/podium-lab.log"
	pkiValidity             = 10 * 365 * 24 * time.Hour
	adminUser, mastersGroup = "podium-lab-admin", "system:masters"
)

type keyPair struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// ensurePKI creates every certificate and key the lab needs, once: a restarted
// lab reuses them, so kubeconfigs handed out earlier stay valid.
func ensurePKI(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "pki"), 0o700); err != nil {
		return err
	}
	all := []string{fileCACert, fileCAKey, fileServingCert, fileServingKey, fileFrontProxyCACert, fileFrontProxyCAKey,
		fileFrontProxyCert, fileFrontProxyKey, fileSAKey, fileSAPub, fileAdminCert, fileAdminKey}
	missing := false
	for _, f := range all {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			missing = true
		}
	}
	if !missing {
		return nil
	}
	// Regenerate the whole set: a half-written set (a crash mid-way) would
	// hold certificates signed by a CA whose key is gone.
	ca, err := newCA("podium-lab-ca")
	if err != nil {
		return err
	}
	serving, err := newLeaf(ca, "kube-apiserver", nil, x509.ExtKeyUsageServerAuth,
		[]string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		[]net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(10, 96, 0, 1)})
	if err != nil {
		return err
	}
	admin, err := newLeaf(ca, adminUser, []string{mastersGroup}, x509.ExtKeyUsageClientAuth, nil, nil)
	if err != nil {
		return err
	}
	fpca, err := newCA("podium-lab-front-proxy-ca")
	if err != nil {
		return err
	}
	fp, err := newLeaf(fpca, "front-proxy-client", nil, x509.ExtKeyUsageClientAuth, nil, nil)
	if err != nil {
		return err
	}
	sa, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	if err != nil {
		return err
	}
	for _, w := range []struct {
		file string
		kp   keyPair
	}{
		{fileCACert, ca}, {fileServingCert, serving}, {fileAdminCert, admin},
		{fileFrontProxyCACert, fpca}, {fileFrontProxyCert, fp},
	} {
		if err := writePEM(filepath.Join(dir, w.file), "CERTIFICATE", w.kp.cert.Raw); err != nil {
			return err
		}
	}
	for _, w := range []struct {
		file string
		key  crypto.Signer
	}{
		{fileCAKey, ca.key}, {fileServingKey, serving.key}, {fileAdminKey, admin.key},
		{fileFrontProxyCAKey, fpca.key}, {fileFrontProxyKey, fp.key}, {fileSAKey, sa},
	} {
		der, err := x509.MarshalPKCS8PrivateKey(w.key)
		if err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, w.file), "PRIVATE KEY", der); err != nil {
			return err
		}
	}
	return writePEM(filepath.Join(dir, fileSAPub), "PUBLIC KEY", saPub)
}

func newCA(cn string) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(pkiValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return keyPair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return keyPair{cert: cert, key: key}, err
}

func newLeaf(ca keyPair, cn string, orgs []string, usage x509.ExtKeyUsage, dns []string, ips []net.IP) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: cn, Organization: orgs},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(pkiValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return keyPair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	return keyPair{cert: cert, key: key}, err
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		// crypto/rand never fails on Linux; a fixed serial is still valid.
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

// readPEMFile returns the PEM file's bytes, with a clear error when it is not PEM.
func readPEMFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if blk, _ := pem.Decode(b); blk == nil {
		return nil, fmt.Errorf("%s: not a PEM file", path)
	}
	return b, nil
}
