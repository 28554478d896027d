import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn


class ToxicCommentTagger(pl.LightningModule):
    def __init__(self, n_labels=6):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(768, 256), nn.ReLU())
        self.classifier = nn.Linear(256, n_labels)

    def forward(self, embeddings):
        return self.classifier(self.encoder(embeddings))

    def training_step(self, batch, batch_idx):
        embeddings, labels = batch
        outputs = self(embeddings)
        loss = F.binary_cross_entropy(outputs, labels)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=2e-5)
